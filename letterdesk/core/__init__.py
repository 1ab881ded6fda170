"""LetterDesk's Qt-free core, in subject packages stacked in layers (pyproject's import-linter
contracts enforce the order; a package imports only those below it):

    desk | documents | evaluation
    generation
    engine | facts
    models
    store
    cases | security | synthetic
    foundation

The GUI (``letterdesk.gui``) and the commands (``letterdesk.commands``) stand on top.
"""
