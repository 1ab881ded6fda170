"""The interface language: English or German, following the system unless the user chose one.

Translations are Qt ``.ts`` sources compiled to ``.qm`` in ``resources/i18n``. Both are read
once at start, so switching the language in the settings only swaps the installed
translator (no file is read in a slot); every view retranslates itself on Qt's
``LanguageChange`` event.
"""

from __future__ import annotations

from letterdesk.core.foundation.paths import resource
from letterdesk.gui.qt import QCoreApplication, QLibraryInfo, QLocale, QTranslator

UI_LANGUAGES = ("en", "de")

_translators: dict[str, list[QTranslator]] = {}
_installed: list[QTranslator] = []
_current = "en"


def system_language() -> str:
    """The system's language if LetterDesk speaks it, else English."""
    for name in QLocale.system().uiLanguages():
        code = name.split("-")[0].split("_")[0].lower()
        if code in UI_LANGUAGES:
            return code
    return "en"


def resolve(choice: str) -> str:
    """The language to show for a setting: ``de``, ``en``, or empty for the system's."""
    return choice if choice in UI_LANGUAGES else system_language()


def load_translations() -> None:
    """Read the compiled translations (at start, before the event loop runs)."""
    for language in UI_LANGUAGES:
        if language == "en" or language in _translators:
            continue  # English is the source language
        qt_own = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        loaded = []
        for path in (
            str(resource("i18n", f"letterdesk_{language}.qm")),
            f"{qt_own}/qtbase_{language}.qm",
        ):
            translator = QTranslator()
            if translator.load(path):  # Qt's own: the buttons of standard dialogs
                loaded.append(translator)
        _translators[language] = loaded


def apply_language(choice: str) -> str:
    """Install the translator for a setting's language; views retranslate. Returns it."""
    global _current
    app = QCoreApplication.instance()
    assert app is not None, "create the QApplication first"
    language = resolve(choice)
    load_translations()
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    for translator in _translators.get(language, []):
        app.installTranslator(translator)
        _installed.append(translator)
    _current = language
    return language


def current_language() -> str:
    """The interface language now shown, ``en`` or ``de``."""
    return _current


def number(value: float, decimals: int = 0) -> str:
    """A number in the interface language: de ``2.048`` and ``1,8``, en ``2,048`` and ``1.8``."""
    language = QLocale.Language.German if _current == "de" else QLocale.Language.English
    return QLocale(language).toString(float(value), "f", decimals)


def percent(share: float, decimals: int = 0) -> str:
    """A share 0..1 as a percentage: de ``97 %``, en ``97%`` (``96,7 %`` with one decimal)."""
    value = number(round(share * 100, decimals), decimals)
    return f"{value} %" if _current == "de" else f"{value}%"
