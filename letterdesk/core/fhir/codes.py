"""The code systems, LOINC and SNOMED codes, mCODE and CodeX profiles and extensions that the
FHIR import reads. Facts from the published guides (mCODE 4.0.0, CodeX Radiation Therapy 1/2)."""

from __future__ import annotations

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"
ICD10_SYSTEMS = (
    "http://fhir.de/CodeSystem/bfarm/icd-10-gm",
    "http://fhir.de/CodeSystem/dimdi/icd-10-gm",
    "http://hl7.org/fhir/sid/icd-10",
    "http://hl7.org/fhir/sid/icd-10-cm",
)

PRIMARY_CANCER = "mcode-primary-cancer-condition"
SECONDARY_CANCER = "mcode-secondary-cancer-condition"
COURSE_SUMMARY = "radiotherapy-course-summary"  # mcode- and codexrt- profiles alike
SNOMED_RT_COURSE = "1217123003"  # Radiotherapy course of treatment

EXT_LATERALITY = "mcode-laterality-qualifier"
EXT_HISTOLOGY = "mcode-histology-morphology-behavior"
EXT_MODALITY_AND_TECHNIQUE = "mcode-radiotherapy-modality-and-technique"
EXT_SESSIONS = "mcode-radiotherapy-sessions"
EXT_DOSE_TO_VOLUME = "mcode-radiotherapy-dose-delivered-to-volume"
EXT_AE_GRADE = (  # CodeX RT 2 and (with its typo) CodeX RT 1
    "codexrt-radiotherapy-adverse-event-severity-or-grade",
    "codexrt-radiotheraphy-adverse-event-severity-or-grade",
)

LATERALITY = {"7771000": "left", "24028007": "right", "51440002": "bilateral"}

# TNM: (stage group, T, N, M) LOINC codes and the prefix of the categories
TNM_CLINICAL = ("21908-9", "21905-5", "21906-3", "21907-1")
TNM_PATHOLOGICAL = ("21902-2", "21899-0", "21900-6", "21901-4")

ECOG = "89247-1"
KARNOFSKY = "89243-0"
ECOG_ANSWERS = {  # LOINC answer list LL529-9
    "LA9622-7": 0, "LA9623-5": 1, "LA9624-3": 2, "LA9625-0": 3, "LA9626-8": 4, "LA9627-6": 5,
}  # fmt: skip

DOSE_UNITS_GY = {"Gy": 1.0, "cGy": 0.01}

SNOMED_SURGERY = "387713003"
SNOMED_IMAGING = "363679005"
IMAGING_REPORT = {"RAD", "LP29684-5"}  # DiagnosticReport.category: v2-0074 radiology, LOINC

# the words a letter uses for the mCODE technique and modality codes of the guides' examples,
# (German, English); other codes are written with their display
RT_TERMS = {
    "1156530009": ("VMAT", "VMAT"),  # Volumetric modulated arc therapy
    "441799006": ("IMRT", "IMRT"),  # Intensity modulated radiation therapy
    "1162782007": ("3D-konformal", "3D conformal"),  # Three dimensional external beam RT
    "1156506007": ("Photonen", "photons"),  # External beam radiation therapy using photons
    "45643008": ("Elektronen", "electrons"),  # External beam radiation therapy using electrons
}
