#!/bin/sh
# /usr/bin/letterdesk: starts the LetterDesk app installed in /opt/letterdesk.
exec /opt/letterdesk/letterdesk "$@"
