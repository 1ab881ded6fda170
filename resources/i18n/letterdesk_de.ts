<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de" sourcelanguage="en">
<context>
    <name>CaseEditing</name>
    <message>
        <source>Case</source>
        <translation>Fall</translation>
    </message>
    <message>
        <source>Case {case} added.</source>
        <translation>Fall {case} angelegt.</translation>
    </message>
    <message>
        <source>Case {case} saved as a new version; its letters keep theirs.</source>
        <translation>Fall {case} als neue Version gespeichert; seine Briefe behalten ihre.</translation>
    </message>
    <message>
        <source>Case {case} unchanged.</source>
        <translation>Fall {case} unverändert.</translation>
    </message>
</context>
<context>
    <name>CaseForm</name>
    <message>
        <source>Case ID</source>
        <translation>Fall-ID</translation>
    </message>
    <message>
        <source>Letter</source>
        <translation>Brief</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Sprache</translation>
    </message>
    <message>
        <source>Patient ID</source>
        <translation>Patienten-ID</translation>
    </message>
    <message>
        <source>Given name</source>
        <translation>Vorname</translation>
    </message>
    <message>
        <source>Family name</source>
        <translation>Nachname</translation>
    </message>
    <message>
        <source>Sex</source>
        <translation>Geschlecht</translation>
    </message>
    <message>
        <source>Birth date</source>
        <translation>Geburtsdatum</translation>
    </message>
    <message>
        <source>Salutation</source>
        <translation>Anrede</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>Titel</translation>
    </message>
    <message>
        <source>Institution</source>
        <translation>Einrichtung</translation>
    </message>
    <message>
        <source>Street</source>
        <translation>Straße</translation>
    </message>
    <message>
        <source>Postal code</source>
        <translation>Postleitzahl</translation>
    </message>
    <message>
        <source>City</source>
        <translation>Ort</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>Funktion</translation>
    </message>
    <message>
        <source>Scale</source>
        <translation>Skala</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>Wert</translation>
    </message>
    <message>
        <source>Diagnoses</source>
        <translation>Diagnosen</translation>
    </message>
    <message>
        <source>diagnosis</source>
        <translation>Diagnose</translation>
    </message>
    <message>
        <source>Diagnosis</source>
        <translation>Diagnose</translation>
    </message>
    <message>
        <source>ICD-10</source>
        <translation>ICD-10</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>Datum</translation>
    </message>
    <message>
        <source>Histology</source>
        <translation>Histologie</translation>
    </message>
    <message>
        <source>Grading</source>
        <translation>Grading</translation>
    </message>
    <message>
        <source>TNM</source>
        <translation>TNM</translation>
    </message>
    <message>
        <source>UICC stage</source>
        <translation>UICC-Stadium</translation>
    </message>
    <message>
        <source>Side</source>
        <translation>Seite</translation>
    </message>
    <message>
        <source>History</source>
        <translation>Vorgeschichte</translation>
    </message>
    <message>
        <source>history entry</source>
        <translation>Eintrag</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Art</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>Beschreibung</translation>
    </message>
    <message>
        <source>Radiotherapy courses</source>
        <translation>Bestrahlungsserien</translation>
    </message>
    <message>
        <source>course</source>
        <translation>Serie</translation>
    </message>
    <message>
        <source>Target</source>
        <translation>Zielvolumen</translation>
    </message>
    <message>
        <source>Technique</source>
        <translation>Technik</translation>
    </message>
    <message>
        <source>Dose per fraction (Gy)</source>
        <translation>Einzeldosis (Gy)</translation>
    </message>
    <message>
        <source>Fractions</source>
        <translation>Fraktionen</translation>
    </message>
    <message>
        <source>Total dose (Gy)</source>
        <translation>Gesamtdosis (Gy)</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>Beginn</translation>
    </message>
    <message>
        <source>End</source>
        <translation>Ende</translation>
    </message>
    <message>
        <source>Concurrent therapy</source>
        <translation>Simultane Therapie</translation>
    </message>
    <message>
        <source>Toxicities</source>
        <translation>Nebenwirkungen</translation>
    </message>
    <message>
        <source>toxicity</source>
        <translation>Nebenwirkung</translation>
    </message>
    <message>
        <source>Toxicity</source>
        <translation>Nebenwirkung</translation>
    </message>
    <message>
        <source>CTCAE grade</source>
        <translation>CTCAE-Grad</translation>
    </message>
    <message>
        <source>Follow-up</source>
        <translation>Nachsorge</translation>
    </message>
    <message>
        <source>follow-up</source>
        <translation>Nachsorgetermin</translation>
    </message>
    <message>
        <source>Final report</source>
        <translation>Abschlussbericht</translation>
    </message>
    <message>
        <source>Initial consultation</source>
        <translation>Erstvorstellung</translation>
    </message>
    <message>
        <source>Follow-up letter</source>
        <translation>Nachsorgebrief</translation>
    </message>
    <message>
        <source>German</source>
        <translation>Deutsch</translation>
    </message>
    <message>
        <source>English</source>
        <translation>Englisch</translation>
    </message>
    <message>
        <source>female</source>
        <translation>weiblich</translation>
    </message>
    <message>
        <source>male</source>
        <translation>männlich</translation>
    </message>
    <message>
        <source>diverse</source>
        <translation>divers</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>unbekannt</translation>
    </message>
    <message>
        <source>left</source>
        <translation>links</translation>
    </message>
    <message>
        <source>right</source>
        <translation>rechts</translation>
    </message>
    <message>
        <source>both sides</source>
        <translation>beidseits</translation>
    </message>
    <message>
        <source>not applicable</source>
        <translation>entfällt</translation>
    </message>
    <message>
        <source>surgery</source>
        <translation>Operation</translation>
    </message>
    <message>
        <source>chemotherapy</source>
        <translation>Chemotherapie</translation>
    </message>
    <message>
        <source>radiotherapy</source>
        <translation>Strahlentherapie</translation>
    </message>
    <message>
        <source>systemic therapy</source>
        <translation>Systemtherapie</translation>
    </message>
    <message>
        <source>imaging</source>
        <translation>Bildgebung</translation>
    </message>
    <message>
        <source>other</source>
        <translation>Sonstiges</translation>
    </message>
    <message>
        <source>Karnofsky (KPS)</source>
        <translation>Karnofsky (KPS)</translation>
    </message>
    <message>
        <source>New case</source>
        <translation>Neuer Fall</translation>
    </message>
    <message>
        <source>Edit case</source>
        <translation>Fall bearbeiten</translation>
    </message>
    <message>
        <source>Patient</source>
        <translation>Patient/in</translation>
    </message>
    <message>
        <source>Recipient</source>
        <translation>Empfänger/in</translation>
    </message>
    <message>
        <source>Author</source>
        <translation>Verfasser/in</translation>
    </message>
    <message>
        <source>&amp;Add {item}</source>
        <translation>{item} &amp;hinzufügen</translation>
    </message>
    <message>
        <source>Add {item}</source>
        <translation>{item} hinzufügen</translation>
    </message>
    <message>
        <source>Performance status</source>
        <translation>Allgemeinzustand</translation>
    </message>
    <message>
        <source>Findings, recommendations, notes</source>
        <translation>Befunde, Empfehlungen, Anmerkungen</translation>
    </message>
    <message>
        <source>Findings</source>
        <translation>Befunde</translation>
    </message>
    <message>
        <source>Notes</source>
        <translation>Anmerkungen</translation>
    </message>
    <message>
        <source>Recommendations (one per line)</source>
        <translation>Empfehlungen (eine pro Zeile)</translation>
    </message>
    <message>
        <source>Problems with the case</source>
        <translation>Probleme mit dem Fall</translation>
    </message>
    <message>
        <source>Save case</source>
        <translation>Fall speichern</translation>
    </message>
    <message>
        <source>Problem with {field}</source>
        <translation>Problem bei {field}</translation>
    </message>
    <message>
        <source>&amp;Remove</source>
        <translation>&amp;Entfernen</translation>
    </message>
    <message>
        <source>Remove this {item}</source>
        <translation>Diesen Eintrag entfernen ({item})</translation>
    </message>
</context>
<context>
    <name>CaseImport</name>
    <message>
        <source>Import cases</source>
        <translation>Fälle importieren</translation>
    </message>
    <message>
        <source>Case or FHIR files (*.json);;All files (*)</source>
        <translation>Fall- oder FHIR-Dateien (*.json);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Importing cases …</source>
        <translation>Fälle werden importiert …</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Import</source>
        <translation>Import</translation>
    </message>
    <message>
        <source>Import progress</source>
        <translation>Importfortschritt</translation>
    </message>
    <message>
        <source>{n} case(s) imported, {m} file(s) rejected.</source>
        <translation>{n} Fall/Fälle importiert, {m} Datei(en) abgelehnt.</translation>
    </message>
    <message>
        <source>Not imported: {path}</source>
        <translation>Nicht importiert: {path}</translation>
    </message>
    <message>
        <source>Imported with warnings: {path}</source>
        <translation>Mit Warnungen importiert: {path}</translation>
    </message>
    <message>
        <source>Not used from {path}:</source>
        <translation>Nicht übernommen aus {path}:</translation>
    </message>
</context>
<context>
    <name>CaseList</name>
    <message>
        <source>Search name, ID or birth date (Ctrl+F)</source>
        <translation>Name, ID oder Geburtsdatum suchen (Strg+F)</translation>
    </message>
    <message>
        <source>Search cases</source>
        <translation>Fälle suchen</translation>
    </message>
    <message>
        <source>&amp;Status:</source>
        <translation>&amp;Status:</translation>
    </message>
    <message>
        <source>Filter by letter status</source>
        <translation>Nach Briefstatus filtern</translation>
    </message>
    <message>
        <source>All</source>
        <translation>Alle</translation>
    </message>
    <message>
        <source>Cases</source>
        <translation>Fälle</translation>
    </message>
    <message>
        <source>Cases listed: {n}</source>
        <translation>Angezeigte Fälle: {n}</translation>
    </message>
</context>
<context>
    <name>CaseListModel</name>
    <message>
        <source>Patient</source>
        <translation>Patient/in</translation>
    </message>
    <message>
        <source>Born</source>
        <translation>Geboren</translation>
    </message>
    <message>
        <source>Case</source>
        <translation>Fall</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>draft ready</source>
        <translation>Entwurf bereit</translation>
    </message>
    <message>
        <source>Synthetic demo data – not a real patient</source>
        <translation>Synthetische Demodaten – kein echter Patient</translation>
    </message>
    <message>
        <source>Drafted ahead by LetterDesk while the desk was idle; not opened yet</source>
        <translation>Von LetterDesk vorab entworfen, während der Arbeitsplatz ruhte; noch nicht geöffnet</translation>
    </message>
    <message>
        <source>Could not be drafted ahead: %1</source>
        <translation>Konnte nicht vorab entworfen werden: %1</translation>
    </message>
    <message>
        <source> (demo)</source>
        <translation> (Demo)</translation>
    </message>
</context>
<context>
    <name>CasePanel</name>
    <message>
        <source>Synthetic demo data – not a real patient</source>
        <translation>Synthetische Demodaten – kein echter Patient</translation>
    </message>
    <message>
        <source>Case data</source>
        <translation>Falldaten</translation>
    </message>
    <message>
        <source>Every value can be selected and copied with Ctrl+C.</source>
        <translation>Jeder Wert lässt sich markieren und mit Strg+C kopieren.</translation>
    </message>
    <message>
        <source>Select a case from the list.</source>
        <translation>Wählen Sie einen Fall aus der Liste.</translation>
    </message>
    <message>
        <source>Diagnoses</source>
        <translation>Diagnosen</translation>
    </message>
    <message>
        <source>Therapy history</source>
        <translation>Bisherige Therapie</translation>
    </message>
    <message>
        <source>Radiotherapy</source>
        <translation>Strahlentherapie</translation>
    </message>
    <message>
        <source>Toxicities</source>
        <translation>Nebenwirkungen</translation>
    </message>
    <message>
        <source>Performance status</source>
        <translation>Allgemeinzustand</translation>
    </message>
    <message>
        <source>Findings</source>
        <translation>Befund</translation>
    </message>
    <message>
        <source>Follow-up plan</source>
        <translation>Nachsorgeplan</translation>
    </message>
    <message>
        <source>Notes</source>
        <translation>Notizen</translation>
    </message>
    <message>
        <source>Recipient</source>
        <translation>Empfänger</translation>
    </message>
    <message>
        <source>Checks</source>
        <translation>Prüfhinweise</translation>
    </message>
    <message>
        <source>Final report</source>
        <translation>Abschlussbericht</translation>
    </message>
    <message>
        <source>Initial consultation</source>
        <translation>Erstvorstellung</translation>
    </message>
    <message>
        <source>Follow-up</source>
        <translation>Nachsorge</translation>
    </message>
    <message>
        <source>German</source>
        <translation>Deutsch</translation>
    </message>
    <message>
        <source>English</source>
        <translation>Englisch</translation>
    </message>
    <message>
        <source>Born</source>
        <translation>Geboren</translation>
    </message>
    <message>
        <source>Patient ID</source>
        <translation>Patienten-ID</translation>
    </message>
    <message>
        <source>Case</source>
        <translation>Fall</translation>
    </message>
    <message>
        <source>Letter</source>
        <translation>Brief</translation>
    </message>
    <message>
        <source>Letter language</source>
        <translation>Briefsprache</translation>
    </message>
    <message>
        <source>UICC stage</source>
        <translation>UICC-Stadium</translation>
    </message>
    <message>
        <source>Histology</source>
        <translation>Histologie</translation>
    </message>
    <message>
        <source>Grading</source>
        <translation>Grading</translation>
    </message>
    <message>
        <source>Diagnosed</source>
        <translation>Erstdiagnose</translation>
    </message>
    <message>
        <source>surgery</source>
        <translation>Operation</translation>
    </message>
    <message>
        <source>chemotherapy</source>
        <translation>Chemotherapie</translation>
    </message>
    <message>
        <source>radiotherapy</source>
        <translation>Strahlentherapie</translation>
    </message>
    <message>
        <source>systemic therapy</source>
        <translation>Systemtherapie</translation>
    </message>
    <message>
        <source>imaging</source>
        <translation>Bildgebung</translation>
    </message>
    <message>
        <source>other</source>
        <translation>Sonstiges</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>Datum</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Art</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>Beschreibung</translation>
    </message>
    <message>
        <source>Technique</source>
        <translation>Technik</translation>
    </message>
    <message>
        <source>Total dose</source>
        <translation>Gesamtdosis</translation>
    </message>
    <message>
        <source>Fractionation</source>
        <translation>Fraktionierung</translation>
    </message>
    <message>
        <source>Period</source>
        <translation>Zeitraum</translation>
    </message>
    <message>
        <source>Concurrent</source>
        <translation>Simultan</translation>
    </message>
    <message>
        <source>Toxicity</source>
        <translation>Nebenwirkung</translation>
    </message>
    <message>
        <source>Grade</source>
        <translation>Grad</translation>
    </message>
    <message>
        <source>Plan</source>
        <translation>Plan</translation>
    </message>
    <message>
        <source>Recommendations</source>
        <translation>Empfehlungen</translation>
    </message>
</context>
<context>
    <name>ChangesView</name>
    <message>
        <source>Changes against the model&apos;s draft</source>
        <translation>Änderungen gegenüber dem Entwurf des Modells</translation>
    </message>
    <message>
        <source>Corrections: insertions underlined, deletions struck through</source>
        <translation>Korrekturen: Einfügungen unterstrichen, Löschungen durchgestrichen</translation>
    </message>
    <message>
        <source>Summary of the corrections</source>
        <translation>Zusammenfassung der Korrekturen</translation>
    </message>
    <message>
        <source>No corrections yet: the letter is the model&apos;s draft.</source>
        <translation>Noch keine Korrekturen: Der Brief ist der Entwurf des Modells.</translation>
    </message>
    <message>
        <source>{kept} of the draft&apos;s words kept · word edit distance {edits}</source>
        <translation>{kept} der Wörter des Entwurfs beibehalten · Wort-Editierdistanz {edits}</translation>
    </message>
</context>
<context>
    <name>ConflictView</name>
    <message>
        <source>Someone else changed this letter</source>
        <translation>Jemand anderes hat diesen Brief geändert</translation>
    </message>
    <message>
        <source>Keep my text</source>
        <translation>Meinen Text behalten</translation>
    </message>
    <message>
        <source>Use their text</source>
        <translation>Den anderen Text übernehmen</translation>
    </message>
    <message>
        <source>Your text against theirs: your additions underlined, theirs struck through</source>
        <translation>Ihr Text gegen den anderen: Ihre Ergänzungen unterstrichen, die des anderen durchgestrichen</translation>
    </message>
    <message>
        <source>%1 saved revision %2 of this letter while you were editing it. Both texts are kept. Below, your text against theirs: what only you wrote is underlined, what only they wrote is struck through.</source>
        <translation>%1 hat Version %2 dieses Briefs gespeichert, während Sie ihn bearbeitet haben. Beide Texte bleiben erhalten. Unten Ihr Text gegen den anderen: was nur Sie geschrieben haben, ist unterstrichen, was nur der andere geschrieben hat, ist durchgestrichen.</translation>
    </message>
</context>
<context>
    <name>DimensionRow</name>
    <message>
        <source>Press 1 to 4 to rate, Up and Down to move between dimensions.</source>
        <translation>1 bis 4 drücken zum Bewerten, Pfeil hoch/runter wechselt die Dimension.</translation>
    </message>
    <message>
        <source>{name}: {score} of 4</source>
        <translation>{name}: {score} von 4</translation>
    </message>
    <message>
        <source>Not rated yet.</source>
        <translation>Noch nicht bewertet.</translation>
    </message>
</context>
<context>
    <name>EvaluationView</name>
    <message>
        <source>Evaluation of the model versions</source>
        <translation>Auswertung der Modellversionen</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation>&amp;Aktualisieren</translation>
    </message>
    <message>
        <source>Refresh the evaluation</source>
        <translation>Auswertung aktualisieren</translation>
    </message>
    <message>
        <source>Save the report</source>
        <translation>Bericht speichern</translation>
    </message>
    <message>
        <source>&amp;Save report…</source>
        <translation>Bericht &amp;speichern…</translation>
    </message>
    <message>
        <source>Save as HTML, PDF or CSV (raw data, one row per rating)</source>
        <translation>Als HTML, PDF oder CSV speichern (Rohdaten, eine Zeile je Bewertung)</translation>
    </message>
    <message>
        <source>Evaluation tables</source>
        <translation>Auswertungstabellen</translation>
    </message>
    <message>
        <source>Scores by dimension and model version</source>
        <translation>Bewertungen nach Dimension und Modellversion</translation>
    </message>
    <message>
        <source>Trends per week</source>
        <translation>Verlauf je Woche</translation>
    </message>
    <message>
        <source>Reading the letters and ratings …</source>
        <translation>Briefe und Bewertungen werden gelesen …</translation>
    </message>
    <message>
        <source>{m} model version(s), {n} letter(s), {s} score(s) by {r} rater(s)</source>
        <translation>{m} Modellversion(en), {n} Brief(e), {s} Bewertung(en) von {r} Bewerter(n)</translation>
    </message>
    <message>
        <source>Save report</source>
        <translation>Bericht speichern</translation>
    </message>
    <message>
        <source>Report (*.html);;PDF (*.pdf);;Raw data, one row per rating (*.csv)</source>
        <translation>Bericht (*.html);;PDF (*.pdf);;Rohdaten, eine Zeile je Bewertung (*.csv)</translation>
    </message>
    <message>
        <source>Report saved: {path}</source>
        <translation>Bericht gespeichert: {path}</translation>
    </message>
</context>
<context>
    <name>FactFlags</name>
    <message>
        <source>From the case data: {field}. Click to show it there.</source>
        <translation>Aus den Falldaten: {field}. Klicken, um es dort zu zeigen.</translation>
    </message>
</context>
<context>
    <name>FlagList</name>
    <message>
        <source>Fact check</source>
        <translation>Faktenprüfung</translation>
    </message>
    <message>
        <source>Choose a flag to see it in the letter and its source in the case data.</source>
        <translation>Einen Hinweis wählen, um ihn im Brief und seine Quelle in den Falldaten zu sehen.</translation>
    </message>
    <message>
        <source>The fact check cannot run: {problem}</source>
        <translation>Die Faktenprüfung ist nicht möglich: {problem}</translation>
    </message>
    <message>
        <source>Fact check: every fact in the letter is in the case data; no case fact is left out.</source>
        <translation>Faktenprüfung: Alle Angaben des Briefs stehen in den Falldaten; keine Angabe des Falls fehlt.</translation>
    </message>
    <message>
        <source>Fact check: {n} not in the case data, {m} not in the letter.</source>
        <translation>Faktenprüfung: {n} nicht in den Falldaten, {m} nicht im Brief.</translation>
    </message>
    <message>
        <source>In the letter, not in the case data:</source>
        <translation>Im Brief, nicht in den Falldaten:</translation>
    </message>
    <message>
        <source>In the case data, not in the letter:</source>
        <translation>In den Falldaten, nicht im Brief:</translation>
    </message>
    <message>
        <source>Click to show it in the case data.</source>
        <translation>Klicken, um die Angabe in den Falldaten zu zeigen.</translation>
    </message>
</context>
<context>
    <name>LetterEditor</name>
    <message>
        <source>Letter text</source>
        <translation>Brieftext</translation>
    </message>
    <message>
        <source>The model&apos;s draft; correct it directly, every change is saved automatically.</source>
        <translation>Der Entwurf des Modells; direkt korrigieren, jede Änderung wird automatisch gespeichert.</translation>
    </message>
    <message>
        <source>The model is writing the letter …</source>
        <translation>Das Modell schreibt den Brief …</translation>
    </message>
    <message>
        <source>No letter yet. Press Generate (Ctrl+G) to have the model draft one.</source>
        <translation>Noch kein Brief. Mit „Erstellen“ (Strg+G) entwirft das Modell einen.</translation>
    </message>
    <message>
        <source>This letter is empty.</source>
        <translation>Dieser Brief ist leer.</translation>
    </message>
</context>
<context>
    <name>LetterExport</name>
    <message>
        <source>Export letter as Word document</source>
        <translation>Brief als Word-Dokument exportieren</translation>
    </message>
    <message>
        <source>Word document (*.docx)</source>
        <translation>Word-Dokument (*.docx)</translation>
    </message>
    <message>
        <source>No cases are listed; change the search or filter first.</source>
        <translation>Es sind keine Fälle aufgelistet; bitte zuerst Suche oder Filter ändern.</translation>
    </message>
    <message>
        <source>Export signed letters into folder</source>
        <translation>Freigegebene Briefe in einen Ordner exportieren</translation>
    </message>
    <message>
        <source>Exporting signed letters …</source>
        <translation>Freigegebene Briefe werden exportiert …</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>Export</translation>
    </message>
    <message>
        <source>Only a signed letter can be exported as a FHIR document.</source>
        <translation>Nur ein freigegebener Brief kann als FHIR-Dokument exportiert werden.</translation>
    </message>
    <message>
        <source>Export signed letter as FHIR document</source>
        <translation>Freigegebenen Brief als FHIR-Dokument exportieren</translation>
    </message>
    <message>
        <source>FHIR document (*.json)</source>
        <translation>FHIR-Dokument (*.json)</translation>
    </message>
    <message>
        <source>FHIR document exported to {path}</source>
        <translation>FHIR-Dokument exportiert nach {path}</translation>
    </message>
    <message>
        <source>Export progress</source>
        <translation>Exportfortschritt</translation>
    </message>
    <message>
        <source>Export cancelled; the letters already written stay in {folder}</source>
        <translation>Export abgebrochen; die bereits geschriebenen Briefe bleiben in {folder}</translation>
    </message>
    <message>
        <source>None of the listed cases has a signed letter; nothing was exported.</source>
        <translation>Keiner der aufgelisteten Fälle hat einen freigegebenen Brief; es wurde nichts exportiert.</translation>
    </message>
    <message>
        <source>{n} signed letter(s) exported to {folder}</source>
        <translation>{n} freigegebene(r) Brief(e) nach {folder} exportiert</translation>
    </message>
    <message>
        <source>Letter exported to {path}</source>
        <translation>Brief exportiert nach {path}</translation>
    </message>
    <message>
        <source>Draft exported to {path} – marked as a draft: it is not signed off yet</source>
        <translation>Entwurf exportiert nach {path} – als Entwurf gekennzeichnet: er ist noch nicht freigegeben</translation>
    </message>
    <message>
        <source>{text}

Please note:
{warnings}</source>
        <translation>{text}

Bitte beachten:
{warnings}</translation>
    </message>
    <message>
        <source>The export failed.</source>
        <translation>Der Export ist fehlgeschlagen.</translation>
    </message>
</context>
<context>
    <name>LetterPane</name>
    <message>
        <source>&amp;Generate</source>
        <translation>&amp;Erstellen</translation>
    </message>
    <message>
        <source>Have the model write a draft (Ctrl+G)</source>
        <translation>Das Modell einen Entwurf schreiben lassen (Strg+G)</translation>
    </message>
    <message>
        <source>S&amp;top</source>
        <translation>S&amp;toppen</translation>
    </message>
    <message>
        <source>Stop writing; the text so far is kept (Esc)</source>
        <translation>Schreiben beenden; der bisherige Text bleibt erhalten (Esc)</translation>
    </message>
    <message>
        <source>Show &amp;changes</source>
        <translation>Än&amp;derungen zeigen</translation>
    </message>
    <message>
        <source>Show corrections against the model&apos;s draft (Ctrl+D)</source>
        <translation>Korrekturen gegenüber dem Entwurf des Modells zeigen (Strg+D)</translation>
    </message>
    <message>
        <source>Sign &amp;off…</source>
        <translation>&amp;Freigeben…</translation>
    </message>
    <message>
        <source>Sign the letter off as final (Ctrl+Shift+S)</source>
        <translation>Den Brief endgültig freigeben (Strg+Umschalt+S)</translation>
    </message>
    <message>
        <source>Save rating &amp;&amp; &amp;next letter</source>
        <translation>Bewertung speichern &amp;&amp; &amp;nächster Brief</translation>
    </message>
    <message>
        <source>Ctrl+Return</source>
        <translation>Strg+Eingabe</translation>
    </message>
    <message>
        <source>&amp;Rate the draft</source>
        <translation>Entwurf &amp;bewerten</translation>
    </message>
    <message>
        <source>Move to the rating panel (Ctrl+R)</source>
        <translation>Zur Bewertung wechseln (Strg+R)</translation>
    </message>
    <message>
        <source>Stopping …</source>
        <translation>Wird gestoppt …</translation>
    </message>
    <message>
        <source>No draft written.</source>
        <translation>Kein Entwurf geschrieben.</translation>
    </message>
    <message>
        <source>Stopped before any text was written.</source>
        <translation>Gestoppt, bevor Text geschrieben wurde.</translation>
    </message>
    <message>
        <source>Someone else saved this letter while you were editing it. Both texts are kept: yours is now revision %1; the letter&apos;s history has theirs.</source>
        <translation>Jemand anderes hat diesen Brief gespeichert, während Sie ihn bearbeitet haben. Beide Texte bleiben erhalten: Ihrer ist jetzt Version %1; der andere steht im Verlauf des Briefs.</translation>
    </message>
    <message>
        <source>Sign off the letter</source>
        <translation>Brief freigeben</translation>
    </message>
    <message>
        <source>Sign off this letter as final? It cannot be changed afterwards; changes then need a new letter.</source>
        <translation>Diesen Brief endgültig freigeben? Danach kann er nicht mehr geändert werden; Änderungen brauchen dann einen neuen Brief.</translation>
    </message>
    <message>
        <source>Only the letter&apos;s author ({name}) can sign it off.</source>
        <translation>Nur der Verfasser des Briefs ({name}) kann ihn freigeben.</translation>
    </message>
    <message>
        <source>Sign off despite fact flags</source>
        <translation>Trotz Hinweisen der Faktenprüfung freigeben</translation>
    </message>
</context>
<context>
    <name>LetterStatus</name>
    <message>
        <source>Letter status</source>
        <translation>Briefstatus</translation>
    </message>
    <message>
        <source>Generation progress</source>
        <translation>Fortschritt beim Schreiben</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>gestoppt</translation>
    </message>
    <message>
        <source>cut at the maximum length</source>
        <translation>bei der Höchstlänge abgeschnitten</translation>
    </message>
    <message>
        <source>complete</source>
        <translation>vollständig</translation>
    </message>
    <message>
        <source>Writing … {time} · {tokens} tokens · {rate} tokens/s</source>
        <translation>Schreibt … {time} · {tokens} Tokens · {rate} Tokens/s</translation>
    </message>
    <message>
        <source>Case data changed</source>
        <translation>Falldaten geändert</translation>
    </message>
    <message>
        <source>Draft {reason}: {time} · {tokens} tokens · {rate} tokens/s</source>
        <translation>Entwurf {reason}: {time} · {tokens} Tokens · {rate} Tokens/s</translation>
    </message>
    <message>
        <source>The model is writing a draft; you can correct it as soon as it is done.</source>
        <translation>Das Modell schreibt einen Entwurf; Sie können ihn korrigieren, sobald er fertig ist.</translation>
    </message>
    <message>
        <source>No letter yet.</source>
        <translation>Noch kein Brief.</translation>
    </message>
    <message>
        <source>Signed off by {who} on {when} – final and read-only. Generate to start a new letter.</source>
        <translation>Freigegeben von {who} am {when} – endgültig und schreibgeschützt. „Erstellen“ beginnt einen neuen Brief.</translation>
    </message>
    <message>
        <source>corrected</source>
        <translation>korrigiert</translation>
    </message>
    <message>
        <source>model draft</source>
        <translation>Entwurf des Modells</translation>
    </message>
    <message>
        <source>Revision {n} ({kind}) · every change is saved automatically</source>
        <translation>Revision {n} ({kind}) · jede Änderung wird automatisch gespeichert</translation>
    </message>
    <message>
        <source> and {n} more</source>
        <translation> und {n} weitere</translation>
    </message>
    <message>
        <source>Case data changed after this draft: {changes} — Generate (Ctrl+G) writes a new draft from the new data; this one keeps the values it was written with.</source>
        <translation>Falldaten nach diesem Entwurf geändert: {changes} — Generieren (Strg+G) schreibt einen neuen Entwurf aus den neuen Daten; dieser behält die Werte, mit denen er geschrieben wurde.</translation>
    </message>
</context>
<context>
    <name>LossPlot</name>
    <message>
        <source>Loss curve</source>
        <translation>Verlustkurve</translation>
    </message>
    <message>
        <source>No training steps yet</source>
        <translation>Noch keine Trainingsschritte</translation>
    </message>
    <message>
        <source>Step {step}: loss {loss}</source>
        <translation>Schritt {step}: Verlust {loss}</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>LetterDesk main window</source>
        <translation>LetterDesk-Hauptfenster</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <source>&amp;Letter</source>
        <translation>&amp;Brief</translation>
    </message>
    <message>
        <source>&amp;Go</source>
        <translation>&amp;Gehe zu</translation>
    </message>
    <message>
        <source>&amp;Import cases…</source>
        <translation>Fälle &amp;importieren…</translation>
    </message>
    <message>
        <source>Import case files (JSON); you can also drop them on the window</source>
        <translation>Falldateien (JSON) importieren; sie lassen sich auch auf das Fenster ziehen</translation>
    </message>
    <message>
        <source>&amp;New case…</source>
        <translation>&amp;Neuer Fall…</translation>
    </message>
    <message>
        <source>Type in a patient&apos;s case: every field, checked as you type</source>
        <translation>Einen Fall eingeben: jedes Feld, beim Tippen geprüft</translation>
    </message>
    <message>
        <source>E&amp;dit case…</source>
        <translation>Fall &amp;bearbeiten…</translation>
    </message>
    <message>
        <source>Correct this case&apos;s data; the letters keep the data they were written with</source>
        <translation>Die Daten dieses Falls korrigieren; die Briefe behalten die Daten, mit denen sie geschrieben wurden</translation>
    </message>
    <message>
        <source>Export signed letter as &amp;FHIR document…</source>
        <translation>Freigegebenen Brief als &amp;FHIR-Dokument exportieren…</translation>
    </message>
    <message>
        <source>The signed letter for the hospital&apos;s systems (FHIR R4 document)</source>
        <translation>Der freigegebene Brief für die Systeme des Klinikums (FHIR-R4-Dokument)</translation>
    </message>
    <message>
        <source>E&amp;valuation…</source>
        <translation>A&amp;uswertung…</translation>
    </message>
    <message>
        <source>How each model version&apos;s drafts fared; save the report</source>
        <translation>Wie die Entwürfe jeder Modellversion abschneiden; Bericht speichern</translation>
    </message>
    <message>
        <source>&amp;Blinded study…</source>
        <translation>&amp;Verblindete Studie…</translation>
    </message>
    <message>
        <source>Compare model versions: raters score letters without knowing the model</source>
        <translation>Modellversionen vergleichen: Bewerter beurteilen Briefe, ohne das Modell zu kennen</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>Ein&amp;stellungen…</translation>
    </message>
    <message>
        <source>Model, letters, signature, language</source>
        <translation>Modell, Briefe, Unterschrift, Sprache</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>Close LetterDesk; your work is saved</source>
        <translation>LetterDesk schließen; Ihre Arbeit ist gespeichert</translation>
    </message>
    <message>
        <source>&amp;Find case</source>
        <translation>Fall &amp;suchen</translation>
    </message>
    <message>
        <source>Search by name, ID or birth date</source>
        <translation>Nach Name, ID oder Geburtsdatum suchen</translation>
    </message>
    <message>
        <source>&amp;Case list</source>
        <translation>&amp;Fallliste</translation>
    </message>
    <message>
        <source>Move to the case list (Alt+1)</source>
        <translation>Zur Fallliste wechseln (Alt+1)</translation>
    </message>
    <message>
        <source>Case &amp;data</source>
        <translation>Fall&amp;daten</translation>
    </message>
    <message>
        <source>Move to the case data (Alt+2)</source>
        <translation>Zu den Falldaten wechseln (Alt+2)</translation>
    </message>
    <message>
        <source>Letter &amp;text</source>
        <translation>Brief&amp;text</translation>
    </message>
    <message>
        <source>Move to the letter text (Alt+3)</source>
        <translation>Zum Brieftext wechseln (Alt+3)</translation>
    </message>
    <message>
        <source>&amp;Next case</source>
        <translation>&amp;Nächster Fall</translation>
    </message>
    <message>
        <source>Go to the next case in the list</source>
        <translation>Zum nächsten Fall der Liste</translation>
    </message>
    <message>
        <source>Cases, case data and letter</source>
        <translation>Fälle, Falldaten und Brief</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>That was the last case in the list.</source>
        <translation>Das war der letzte Fall der Liste.</translation>
    </message>
    <message>
        <source>&amp;Export letter as Word document…</source>
        <translation>Brief als Word-Dokument &amp;exportieren…</translation>
    </message>
    <message>
        <source>No drafts are written ahead now: %1</source>
        <translation>Derzeit werden keine Entwürfe vorab geschrieben: %1</translation>
    </message>
    <message>
        <source>Save this case&apos;s letter on the letterhead; unsigned letters are drafts</source>
        <translation>Den Brief dieses Falls auf dem Briefkopf speichern; nicht freigegebene Briefe sind Entwürfe</translation>
    </message>
    <message>
        <source>Export &amp;signed letters…</source>
        <translation>&amp;Freigegebene Briefe exportieren…</translation>
    </message>
    <message>
        <source>Every signed letter of the cases listed (search and filter apply)</source>
        <translation>Alle freigegebenen Briefe der aufgelisteten Fälle (Suche und Filter gelten)</translation>
    </message>
    <message>
        <source>&amp;Train new model…</source>
        <translation>Neues Modell &amp;trainieren…</translation>
    </message>
    <message>
        <source>Learn from the signed letters; the new model is compared before use</source>
        <translation>Aus den freigegebenen Briefen lernen; das neue Modell wird vor dem Einsatz verglichen</translation>
    </message>
    <message>
        <source>The new model is the default; IT set the model letters are written with.</source>
        <translation>Das neue Modell ist der Standard; mit welchem Modell Briefe geschrieben werden, legt die IT fest.</translation>
    </message>
    <message>
        <source>Letters are now drafted with {model}.</source>
        <translation>Briefe werden jetzt mit {model} entworfen.</translation>
    </message>
</context>
<context>
    <name>ModelComparison</name>
    <message>
        <source>Evaluation: current and new model</source>
        <translation>Auswertung: bisheriges und neues Modell</translation>
    </message>
    <message>
        <source>Current model</source>
        <translation>Bisheriges Modell</translation>
    </message>
    <message>
        <source>New model</source>
        <translation>Neues Modell</translation>
    </message>
    <message>
        <source>Change</source>
        <translation>Veränderung</translation>
    </message>
    <message>
        <source>Key-fact recall</source>
        <translation>Kernfakten-Abdeckung</translation>
    </message>
    <message>
        <source>{n} pp</source>
        <translation>{n} PP</translation>
    </message>
    <message>
        <source>Select the whole table</source>
        <translation>Ganze Tabelle auswählen</translation>
    </message>
    <message>
        <source>Make &amp;default</source>
        <translation>Als Stan&amp;dard verwenden</translation>
    </message>
    <message>
        <source>Make the new model the default</source>
        <translation>Das neue Modell als Standard verwenden</translation>
    </message>
    <message>
        <source>Version {version} is now the default model.</source>
        <translation>Version {version} ist jetzt das Standardmodell.</translation>
    </message>
    <message>
        <source>Version {version} is not measurably worse than the current model (95 % interval on the evaluation letters); make it the default to draft letters with it.</source>
        <translation>Version {version} ist nicht messbar schlechter als das bisherige Modell (95-%-Intervall auf den Prüfbriefen); als Standard verwenden, um Briefe damit zu entwerfen.</translation>
    </message>
    <message>
        <source>Version {version} was kept but cannot become the default: {reason}</source>
        <translation>Version {version} wurde behalten, kann aber nicht Standard werden: {reason}</translation>
    </message>
</context>
<context>
    <name>ModelStatusBar</name>
    <message>
        <source>Model loading progress</source>
        <translation>Ladefortschritt des Modells</translation>
    </message>
    <message>
        <source>context {n} tokens</source>
        <translation>Kontext {n} Tokens</translation>
    </message>
    <message>
        <source>server</source>
        <translation>Server</translation>
    </message>
    <message>
        <source>Model: {name}</source>
        <translation>Modell: {name}</translation>
    </message>
    <message>
        <source>Loading the model: {step}</source>
        <translation>Modell wird geladen: {step}</translation>
    </message>
    <message>
        <source>Model not available: {why}</source>
        <translation>Modell nicht verfügbar: {why}</translation>
    </message>
    <message>
        <source>Model not loaded yet</source>
        <translation>Modell noch nicht geladen</translation>
    </message>
</context>
<context>
    <name>PassphraseDialog</name>
    <message>
        <source>LetterDesk – passphrase</source>
        <translation>LetterDesk – Passphrase</translation>
    </message>
    <message>
        <source>Enter the passphrase of the letter store {name}.</source>
        <translation>Geben Sie die Passphrase des Briefspeichers {name} ein.</translation>
    </message>
    <message>
        <source>No system keyring is available, so the letter store {name} is protected by a passphrase. Choose one of at least {n} characters and keep it safe: without it the letters cannot be read.</source>
        <translation>Es ist kein Schlüsselbund des Systems verfügbar, daher schützt eine Passphrase den Briefspeicher {name}. Wählen Sie eine mit mindestens {n} Zeichen und bewahren Sie sie sicher auf: Ohne sie sind die Briefe nicht lesbar.</translation>
    </message>
    <message>
        <source>Choose a passphrase for the backup {name}.</source>
        <translation>Wählen Sie eine Passphrase für die Sicherung {name}.</translation>
    </message>
    <message>
        <source>Enter the passphrase of the backup {name}.</source>
        <translation>Geben Sie die Passphrase der Sicherung {name} ein.</translation>
    </message>
    <message>
        <source>Enter the passphrase for {name}.</source>
        <translation>Geben Sie die Passphrase für {name} ein.</translation>
    </message>
    <message>
        <source>That passphrase was not correct.</source>
        <translation>Diese Passphrase war nicht korrekt.</translation>
    </message>
    <message>
        <source>Passphrase</source>
        <translation>Passphrase</translation>
    </message>
    <message>
        <source>Repeat passphrase</source>
        <translation>Passphrase wiederholen</translation>
    </message>
    <message>
        <source>&amp;Passphrase:</source>
        <translation>&amp;Passphrase:</translation>
    </message>
    <message>
        <source>&amp;Repeat:</source>
        <translation>&amp;Wiederholen:</translation>
    </message>
    <message>
        <source>Use at least {n} characters.</source>
        <translation>Verwenden Sie mindestens {n} Zeichen.</translation>
    </message>
    <message>
        <source>The two passphrases differ.</source>
        <translation>Die beiden Passphrasen stimmen nicht überein.</translation>
    </message>
    <message>
        <source>Enter the passphrase, or Cancel.</source>
        <translation>Geben Sie die Passphrase ein oder brechen Sie ab.</translation>
    </message>
</context>
<context>
    <name>RatingPanel</name>
    <message>
        <source>Rating of the model&apos;s draft</source>
        <translation>Bewertung des Entwurfs</translation>
    </message>
    <message>
        <source>Rating comment</source>
        <translation>Kommentar zur Bewertung</translation>
    </message>
    <message>
        <source>Comment (optional)</source>
        <translation>Kommentar (optional)</translation>
    </message>
    <message>
        <source>Save rating &amp;&amp; next letter</source>
        <translation>Bewertung speichern &amp;&amp; nächster Brief</translation>
    </message>
    <message>
        <source>Save rating and go to the next letter</source>
        <translation>Bewertung speichern und zum nächsten Brief</translation>
    </message>
    <message>
        <source>Ctrl+Return</source>
        <translation>Strg+Eingabe</translation>
    </message>
    <message>
        <source>Please rate every dimension first: {names}.</source>
        <translation>Bitte zuerst jede Dimension bewerten: {names}.</translation>
    </message>
    <message>
        <source>Rating saved.</source>
        <translation>Bewertung gespeichert.</translation>
    </message>
    <message>
        <source>&lt;b&gt;Rating&lt;/b&gt; – generate a letter to rate it.</source>
        <translation>&lt;b&gt;Bewertung&lt;/b&gt; – zuerst einen Brief erstellen.</translation>
    </message>
    <message>
        <source>&lt;b&gt;Rating&lt;/b&gt; of the model&apos;s draft (revision {n}) – keys 1–4, ↑/↓</source>
        <translation>&lt;b&gt;Bewertung&lt;/b&gt; des Entwurfs (Revision {n}) – Tasten 1–4, ↑/↓</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>LetterDesk settings</source>
        <translation>LetterDesk-Einstellungen</translation>
    </message>
    <message>
        <source>Save settings</source>
        <translation>Einstellungen speichern</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>&amp;Model file:</source>
        <translation>&amp;Modelldatei:</translation>
    </message>
    <message>
        <source>empty: the bundled demo model</source>
        <translation>leer: das mitgelieferte Demomodell</translation>
    </message>
    <message>
        <source>GGUF models (*.gguf)</source>
        <translation>GGUF-Modelle (*.gguf)</translation>
    </message>
    <message>
        <source>&amp;Adapter:</source>
        <translation>&amp;Adapter:</translation>
    </message>
    <message>
        <source>optional LoRA adapter (GGUF)</source>
        <translation>optionaler LoRA-Adapter (GGUF)</translation>
    </message>
    <message>
        <source>GGUF adapters (*.gguf)</source>
        <translation>GGUF-Adapter (*.gguf)</translation>
    </message>
    <message>
        <source>&amp;GPU layers:</source>
        <translation>&amp;GPU-Schichten:</translation>
    </message>
    <message>
        <source>auto, or a number (0 = CPU only, -1 = all)</source>
        <translation>auto oder eine Zahl (0 = nur CPU, -1 = alle)</translation>
    </message>
    <message>
        <source>Letter &amp;language:</source>
        <translation>Brief&amp;sprache:</translation>
    </message>
    <message>
        <source>German</source>
        <translation>Deutsch</translation>
    </message>
    <message>
        <source>English</source>
        <translation>Englisch</translation>
    </message>
    <message>
        <source>Final report</source>
        <translation>Abschlussbericht</translation>
    </message>
    <message>
        <source>Initial consultation</source>
        <translation>Erstvorstellung</translation>
    </message>
    <message>
        <source>Follow-up</source>
        <translation>Nachsorge</translation>
    </message>
    <message>
        <source>Default letter &amp;type:</source>
        <translation>Standard-Brief&amp;typ:</translation>
    </message>
    <message>
        <source>Letter&amp;head template:</source>
        <translation>Brief&amp;kopf-Vorlage:</translation>
    </message>
    <message>
        <source>empty: the bundled letterhead</source>
        <translation>leer: der mitgelieferte Briefkopf</translation>
    </message>
    <message>
        <source>Word documents (*.docx)</source>
        <translation>Word-Dokumente (*.docx)</translation>
    </message>
    <message>
        <source>Author &amp;name:</source>
        <translation>&amp;Name des Verfassers:</translation>
    </message>
    <message>
        <source>as signed under letters</source>
        <translation>wie unter Briefen unterschrieben</translation>
    </message>
    <message>
        <source>e.g. Oberärztin</source>
        <translation>z. B. Oberärztin</translation>
    </message>
    <message>
        <source>Author r&amp;ole:</source>
        <translation>&amp;Funktion des Verfassers:</translation>
    </message>
    <message>
        <source>&amp;Rater name:</source>
        <translation>Name für &amp;Bewertungen:</translation>
    </message>
    <message>
        <source>empty: your computer login</source>
        <translation>leer: Ihre Computeranmeldung</translation>
    </message>
    <message>
        <source>&amp;Draft ahead while idle:</source>
        <translation>&amp;Vorab entwerfen, wenn ruhig:</translation>
    </message>
    <message>
        <source>Yes: the next cases&apos; drafts are ready when opened</source>
        <translation>Ja: die Entwürfe der nächsten Fälle liegen beim Öffnen bereit</translation>
    </message>
    <message>
        <source>No</source>
        <translation>Nein</translation>
    </message>
    <message>
        <source>Drafts &amp;waiting at most:</source>
        <translation>Höchstens &amp;wartende Entwürfe:</translation>
    </message>
    <message>
        <source>&amp;Interface language:</source>
        <translation>Sprache der &amp;Oberfläche:</translation>
    </message>
    <message>
        <source>System</source>
        <translation>System</translation>
    </message>
    <message>
        <source>set by IT</source>
        <translation>von der IT festgelegt</translation>
    </message>
    <message>
        <source>This setting is set by your IT department and cannot be changed here.</source>
        <translation>Diese Einstellung legt Ihre IT-Abteilung fest; sie kann hier nicht geändert werden.</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>Durchsuchen…</translation>
    </message>
    <message>
        <source>Choose {what}</source>
        <translation>{what} wählen</translation>
    </message>
    <message>
        <source>Choose a file</source>
        <translation>Datei wählen</translation>
    </message>
    <message>
        <source>Please correct: </source>
        <translation>Bitte korrigieren: </translation>
    </message>
</context>
<context>
    <name>StoreStatus</name>
    <message>
        <source>Department store · signed in as %1</source>
        <translation>Abteilungsspeicher · angemeldet als %1</translation>
    </message>
</context>
<context>
    <name>StudyRating</name>
    <message>
        <source>The letter to rate</source>
        <translation>Der zu bewertende Brief</translation>
    </message>
    <message>
        <source>Your letters of this study</source>
        <translation>Ihre Briefe dieser Studie</translation>
    </message>
    <message>
        <source>&lt;b&gt;Letter {label}&lt;/b&gt; – {position} of {total}; keys 1–4, ↑/↓</source>
        <translation>&lt;b&gt;Brief {label}&lt;/b&gt; – {position} von {total}; Tasten 1–4, ↑/↓</translation>
    </message>
</context>
<context>
    <name>StudySetup</name>
    <message>
        <source>Name of the new study:</source>
        <translation>Name der neuen Studie:</translation>
    </message>
    <message>
        <source>Cases</source>
        <translation>Fälle</translation>
    </message>
    <message>
        <source>Model versions</source>
        <translation>Modellversionen</translation>
    </message>
    <message>
        <source>&amp;Create study</source>
        <translation>Studie &amp;anlegen</translation>
    </message>
    <message>
        <source>&amp;Draft letters</source>
        <translation>Briefe &amp;entwerfen</translation>
    </message>
    <message>
        <source>Each model version drafts every case, in turn</source>
        <translation>Jede Modellversion entwirft nacheinander jeden Fall</translation>
    </message>
    <message>
        <source>Ca&amp;ncel drafting</source>
        <translation>Entwerfen a&amp;bbrechen</translation>
    </message>
    <message>
        <source>Co&amp;mplete study</source>
        <translation>Studie a&amp;bschließen</translation>
    </message>
    <message>
        <source>Freeze the ratings; the result may then decide</source>
        <translation>Bewertungen festschreiben; das Ergebnis darf dann entscheiden</translation>
    </message>
    <message>
        <source>Name of the new study</source>
        <translation>Name der neuen Studie</translation>
    </message>
    <message>
        <source>Cases of the new study</source>
        <translation>Fälle der neuen Studie</translation>
    </message>
    <message>
        <source>Model versions of the new study</source>
        <translation>Modellversionen der neuen Studie</translation>
    </message>
    <message>
        <source>Create the study</source>
        <translation>Studie anlegen</translation>
    </message>
    <message>
        <source>Draft the study&apos;s letters</source>
        <translation>Briefe der Studie entwerfen</translation>
    </message>
    <message>
        <source>Cancel drafting</source>
        <translation>Entwerfen abbrechen</translation>
    </message>
    <message>
        <source>Complete the study</source>
        <translation>Studie abschließen</translation>
    </message>
    <message>
        <source>Choose cases and at least two model versions.</source>
        <translation>Wählen Sie Fälle und mindestens zwei Modellversionen.</translation>
    </message>
    <message>
        <source>{done} of {total} letters drafted.</source>
        <translation>{done} von {total} Briefen entworfen.</translation>
    </message>
    <message>
        <source>All {total} letters are drafted; raters can rate them.</source>
        <translation>Alle {total} Briefe sind entworfen; die Bewerter können sie bewerten.</translation>
    </message>
    <message>
        <source>Completed: the {total} letters&apos; ratings are frozen.</source>
        <translation>Abgeschlossen: die Bewertungen der {total} Briefe sind festgeschrieben.</translation>
    </message>
</context>
<context>
    <name>StudyView</name>
    <message>
        <source>Blinded comparison studies</source>
        <translation>Verblindete Vergleichsstudien</translation>
    </message>
    <message>
        <source>Study:</source>
        <translation>Studie:</translation>
    </message>
    <message>
        <source>Study</source>
        <translation>Studie</translation>
    </message>
    <message>
        <source>Results of the study</source>
        <translation>Ergebnisse der Studie</translation>
    </message>
    <message>
        <source>Set up</source>
        <translation>Anlegen</translation>
    </message>
    <message>
        <source>Rate</source>
        <translation>Bewerten</translation>
    </message>
    <message>
        <source>Results</source>
        <translation>Ergebnisse</translation>
    </message>
    <message>
        <source>Rater: {name}</source>
        <translation>Bewerter: {name}</translation>
    </message>
    <message>
        <source>{done} of {total} letters drafted …</source>
        <translation>{done} von {total} Briefen entworfen …</translation>
    </message>
    <message>
        <source>All your letters of this study are rated. Thank you.</source>
        <translation>Alle Ihre Briefe dieser Studie sind bewertet. Vielen Dank.</translation>
    </message>
</context>
<context>
    <name>TrainDialog</name>
    <message>
        <source>Train new model</source>
        <translation>Neues Modell trainieren</translation>
    </message>
    <message>
        <source>&amp;Base model:</source>
        <translation>&amp;Basismodell:</translation>
    </message>
    <message>
        <source>Base model folder</source>
        <translation>Ordner des Basismodells</translation>
    </message>
    <message>
        <source>The Hugging Face folder the current model was made from</source>
        <translation>Der Hugging-Face-Ordner, aus dem das bisherige Modell entstand</translation>
    </message>
    <message>
        <source>&amp;Work folder:</source>
        <translation>&amp;Arbeitsordner:</translation>
    </message>
    <message>
        <source>Work folder</source>
        <translation>Arbeitsordner</translation>
    </message>
    <message>
        <source>The folder of an earlier, stopped run resumes it</source>
        <translation>Der Ordner eines früheren, angehaltenen Laufs setzt diesen fort</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>Durchsuchen…</translation>
    </message>
    <message>
        <source>Choose the base model folder</source>
        <translation>Ordner des Basismodells wählen</translation>
    </message>
    <message>
        <source>Choose the work folder</source>
        <translation>Arbeitsordner wählen</translation>
    </message>
    <message>
        <source>&amp;Keep the training letters after the run</source>
        <translation>Trainingsbriefe nach dem Lauf &amp;behalten</translation>
    </message>
    <message>
        <source>They are patient data: by default a finished run removes them from the work folder and keeps only the new model</source>
        <translation>Sie sind Patientendaten: Ein abgeschlossener Lauf entfernt sie sonst aus dem Arbeitsordner und behält nur das neue Modell</translation>
    </message>
    <message>
        <source>&amp;Start training</source>
        <translation>Training &amp;starten</translation>
    </message>
    <message>
        <source>&amp;Resume</source>
        <translation>&amp;Fortsetzen</translation>
    </message>
    <message>
        <source>Go on from the checkpoint the training left</source>
        <translation>Beim Zwischenstand weitermachen, den das Training gespeichert hat</translation>
    </message>
    <message>
        <source>S&amp;top</source>
        <translation>A&amp;nhalten</translation>
    </message>
    <message>
        <source>Stop with a checkpoint; Resume goes on from it</source>
        <translation>Mit Zwischenstand anhalten; „Fortsetzen“ macht dort weiter</translation>
    </message>
    <message>
        <source>Training progress</source>
        <translation>Trainingsfortschritt</translation>
    </message>
    <message>
        <source>Step %v of %m</source>
        <translation>Schritt %v von %m</translation>
    </message>
    <message>
        <source>Line: training loss · dots: loss on held-out letters</source>
        <translation>Linie: Trainingsverlust · Punkte: Verlust auf zurückgehaltenen Briefen</translation>
    </message>
    <message>
        <source>Trainer messages</source>
        <translation>Meldungen des Trainers</translation>
    </message>
    <message>
        <source>Learns from the signed letters in the store.</source>
        <translation>Lernt aus den freigegebenen Briefen im Briefspeicher.</translation>
    </message>
    <message>
        <source>Choose folder</source>
        <translation>Ordner wählen</translation>
    </message>
    <message>
        <source>Stopping: the training saves a checkpoint …</source>
        <translation>Wird angehalten: Das Training speichert einen Zwischenstand …</translation>
    </message>
    <message>
        <source>Starting the trainer …</source>
        <translation>Der Trainer wird gestartet …</translation>
    </message>
    <message>
        <source>Evaluating the current and the new model on {n} held-out letters …</source>
        <translation>Bisheriges und neues Modell werden an {n} zurückgehaltenen Briefen ausgewertet …</translation>
    </message>
    <message>
        <source>Preparing the signed letters as training examples …</source>
        <translation>Die freigegebenen Briefe werden als Trainingsbeispiele vorbereitet …</translation>
    </message>
    <message>
        <source>Training on the signed letters …</source>
        <translation>Training mit den freigegebenen Briefen …</translation>
    </message>
    <message>
        <source>Exporting the new model …</source>
        <translation>Das neue Modell wird exportiert …</translation>
    </message>
    <message>
        <source>The work folder {folder} still holds the training letters (patient data); delete it when it is no longer needed.</source>
        <translation>Der Arbeitsordner {folder} enthält noch die Trainingsbriefe (Patientendaten); löschen Sie ihn, sobald er nicht mehr gebraucht wird.</translation>
    </message>
    <message>
        <source>Filing the new model version …</source>
        <translation>Die neue Modellversion wird registriert …</translation>
    </message>
    <message>
        <source>Stopped. The training kept a checkpoint: Resume goes on from it.</source>
        <translation>Angehalten. Das Training hat einen Zwischenstand gespeichert: „Fortsetzen“ macht dort weiter.</translation>
    </message>
    <message>
        <source>The training did not finish.</source>
        <translation>Das Training wurde nicht abgeschlossen.</translation>
    </message>
    <message>
        <source>The training is finished.</source>
        <translation>Das Training ist abgeschlossen.</translation>
    </message>
    <message>
        <source>The new model could not be filed.</source>
        <translation>Das neue Modell konnte nicht registriert werden.</translation>
    </message>
    <message>
        <source>less than a minute left</source>
        <translation>noch weniger als eine Minute</translation>
    </message>
    <message>
        <source>about {n} min left</source>
        <translation>noch etwa {n} min</translation>
    </message>
    <message>
        <source>about {h} h {m} min left</source>
        <translation>noch etwa {h} h {m} min</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
    <message>
        <source>A running training goes on; this dialog shows it again</source>
        <translation>Ein laufendes Training geht weiter; dieser Dialog zeigt es wieder an</translation>
    </message>
</context>
<context>
    <name>WaitingSaves</name>
    <message>
        <source>Offline: the department store cannot be reached. Changes waiting on this computer: %1. They are saved when it answers again.</source>
        <translation>Offline: Der Abteilungsspeicher ist nicht erreichbar. Auf diesem Computer wartende Änderungen: %1. Sie werden gespeichert, sobald er wieder antwortet.</translation>
    </message>
    <message>
        <source>Back online: every change is saved in the store.</source>
        <translation>Wieder online: Alle Änderungen sind im Speicher gesichert.</translation>
    </message>
</context>
<context>
    <name>_AssignmentTable</name>
    <message>
        <source>Letter</source>
        <translation>Brief</translation>
    </message>
    <message>
        <source>Rated</source>
        <translation>Bewertet</translation>
    </message>
</context>
<context>
    <name>facts</name>
    <message>
        <source>Dose</source>
        <translation>Dosis</translation>
    </message>
    <message>
        <source>Number of fractions</source>
        <translation>Fraktionszahl</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>Datum</translation>
    </message>
    <message>
        <source>ICD-10 code</source>
        <translation>ICD-10-Code</translation>
    </message>
    <message>
        <source>TNM</source>
        <translation>TNM</translation>
    </message>
    <message>
        <source>UICC stage</source>
        <translation>UICC-Stadium</translation>
    </message>
    <message>
        <source>Side</source>
        <translation>Seite</translation>
    </message>
    <message>
        <source>Drug</source>
        <translation>Medikament</translation>
    </message>
    <message>
        <source>CTCAE grade</source>
        <translation>CTCAE-Grad</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Patient&apos;s name</source>
        <translation>Name des Patienten</translation>
    </message>
    <message>
        <source>Date of birth</source>
        <translation>Geburtsdatum</translation>
    </message>
    <message>
        <source>Date of diagnosis</source>
        <translation>Diagnosedatum</translation>
    </message>
    <message>
        <source>Date in the history</source>
        <translation>Datum der Vorgeschichte</translation>
    </message>
    <message>
        <source>Total dose</source>
        <translation>Gesamtdosis</translation>
    </message>
    <message>
        <source>Dose per fraction</source>
        <translation>Einzeldosis</translation>
    </message>
    <message>
        <source>Start of radiotherapy</source>
        <translation>Beginn der Radiotherapie</translation>
    </message>
    <message>
        <source>End of radiotherapy</source>
        <translation>Ende der Radiotherapie</translation>
    </message>
    <message>
        <source>Concurrent therapy</source>
        <translation>Simultane Therapie</translation>
    </message>
    <message>
        <source>Side effect</source>
        <translation>Nebenwirkung</translation>
    </message>
    <message>
        <source>Follow-up appointment</source>
        <translation>Nachsorgetermin</translation>
    </message>
    <message>
        <source>{kind} “{text}” (case: {instead})</source>
        <translation>{kind} „{text}“ (Fall: {instead})</translation>
    </message>
    <message>
        <source>{kind} “{text}”</source>
        <translation>{kind} „{text}“</translation>
    </message>
    <message>
        <source>{field} {value} from the case data is not in the letter.</source>
        <translation>{field} {value} aus den Falldaten fehlt im Brief.</translation>
    </message>
    <message>
        <source>{kind} “{text}” is not in the case data (case: {instead}).</source>
        <translation>{kind} „{text}“ steht nicht in den Falldaten (Fall: {instead}).</translation>
    </message>
    <message>
        <source>{kind} “{text}” is not in the case data.</source>
        <translation>{kind} „{text}“ steht nicht in den Falldaten.</translation>
    </message>
    <message>
        <source>The fact check flags this letter.</source>
        <translation>Die Faktenprüfung hat Hinweise zu diesem Brief.</translation>
    </message>
    <message>
        <source>Not in the case data: {n}</source>
        <translation>Nicht in den Falldaten: {n}</translation>
    </message>
    <message>
        <source>Not in the letter: {n}</source>
        <translation>Nicht im Brief: {n}</translation>
    </message>
    <message>
        <source>… and {n} more, listed under the letter.</source>
        <translation>… und {n} weitere, unter dem Brief aufgeführt.</translation>
    </message>
    <message>
        <source>Sign off this letter as final anyway? It cannot be changed afterwards. Your confirmation is recorded in the audit log.</source>
        <translation>Diesen Brief trotzdem endgültig freigeben? Danach kann er nicht mehr geändert werden. Ihre Bestätigung wird im Prüfprotokoll festgehalten.</translation>
    </message>
</context>
<context>
    <name>messages</name>
    <message>
        <source>LetterDesk</source>
        <translation>LetterDesk</translation>
    </message>
    <message>
        <source>Error message</source>
        <translation>Fehlermeldung</translation>
    </message>
    <message>
        <source>Hint for IT: {hint}</source>
        <translation>Hinweis für die IT: {hint}</translation>
    </message>
    <message>
        <source>Something went wrong in LetterDesk. Your saved work is safe; please report this.</source>
        <translation>In LetterDesk ist ein Fehler aufgetreten. Ihre gespeicherte Arbeit ist sicher; bitte melden Sie dies.</translation>
    </message>
</context>
<context>
    <name>status</name>
    <message>
        <source>new</source>
        <translation>neu</translation>
    </message>
    <message>
        <source>draft</source>
        <translation>Entwurf</translation>
    </message>
    <message>
        <source>corrected</source>
        <translation>korrigiert</translation>
    </message>
    <message>
        <source>signed</source>
        <translation>freigegeben</translation>
    </message>
</context>
</TS>
