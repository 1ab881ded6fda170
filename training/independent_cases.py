"""Independent evaluation cases: a second case writer, apart from LetterDesk's own generator.

Scores measured on cases from :mod:`letterdesk.core.synthetic.generator` flatter a model trained on
that
generator's output, because the evaluation then shares its phrasing and structure. This module
was written independently of the generator (none of its vocabulary, tables or logic is
imported or copied) from the domain primer alone: other wording of diagnoses, targets,
techniques, findings and advice, code-switched free text (an English term in a German case and
the other way round), odd and multi-course schedules, re-irradiations, benign indications,
Unicode names and optional fields left out in varied combinations.

Every case is invented, valid against ``resources/case.schema.json``, carries
``"synthetic": true`` and an ID starting ``IND-``; the same ``(seed, index)`` always gives the
same case.

These cases are for evaluation only. Never use them for training, fine-tuning, prompt tuning or
choosing hyper-parameters: once they have shaped the model, they stop measuring it.

Run: .venv/bin/python -m training.independent_cases --n 200 --seed 0 --out cases.jsonl
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from letterdesk.core.foundation.files import write_text_atomically

_T = tuple[str, str]  # the same text in German and in English


@dataclass(frozen=True)
class _Course:
    """One radiotherapy course of a schedule."""

    target: _T
    technique: str  # a key of _TECHNIQUES
    dose_per_fraction: float
    fractions: int
    simultaneous: bool = False  # starts with the previous course (SIB, a second lesion)
    concurrent: _T | None = None


@dataclass(frozen=True)
class _Plan:
    """A schedule of one to three courses."""

    courses: tuple[_Course, ...]
    prior: _T | None = None  # earlier radiotherapy of the same region: this is a re-irradiation


@dataclass(frozen=True)
class _Dx:
    """One way a site's diagnosis is written, with what must agree with it."""

    icd: str
    text: _T
    histology: tuple[_T, ...] = ()
    grading: tuple[_T, ...] = ()
    staging: tuple[tuple[str, str], ...] = ()  # (TNM, UICC stage or "" when none applies)
    places: tuple[_T, ...] = (("", ""),)  # fills {place}
    plans: tuple[int, ...] = ()  # indices into the site's plans; empty: any
    history: tuple[tuple[str, _T], ...] = ()  # empty: the site's
    lateral: bool = False


@dataclass(frozen=True)
class _Site:
    """A treated entity: its diagnoses, schedules and the words around them."""

    diagnoses: tuple[_Dx, ...]
    plans: tuple[_Plan, ...]
    history: tuple[tuple[str, _T], ...]
    toxicities: tuple[_T, ...]
    late_effects: tuple[_T, ...]
    findings: tuple[_T, _T]  # (before treatment, at follow-up)
    advice: tuple[_T, ...]  # the first is for the weeks right after treatment
    follow_up: _T
    sex: str | None = None
    primaries: tuple[tuple[str, _T, str | None], ...] = ()  # metastases: (ICD, primary, sex)


def _c(
    de: str,
    en: str,
    technique: str,
    dose: float,
    fractions: int,
    *,
    sim: bool = False,
    conc: _T | None = None,
) -> _Course:
    return _Course((de, en), technique, dose, fractions, sim, conc)


def _p(*courses: _Course, prior: _T | None = None) -> _Plan:
    return _Plan(courses, prior)


_TECHNIQUES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "vmat": (
        ("VMAT mit 6 MV, tägliche CBCT", "Rotations-IMRT (VMAT), 2 Bögen, 6 MV FFF", "VMAT, 10 MV"),
        ("VMAT, 6 MV photons, daily CBCT", "volumetric arc therapy, 2 arcs, 6 MV FFF", "RapidArc"),
    ),
    "imrt": (
        ("IMRT (Step-and-Shoot), 6 MV", "IMRT, 7 Felder, 6 MV-X"),
        ("step-and-shoot IMRT, 6 MV", "7-field IMRT with 6 MV X-rays"),
    ),
    "tomo": (("Tomotherapie (helikal), 6 MV", "HT / Tomotherapy"), ("TomoTherapy, helical", "HT")),
    "3d": (
        ("3D-konformal, 6/18 MV", "3D-geplante Gegenfelder, 6 MV"),
        ("3D conformal, 6 and 15 MV", "3D-planned opposed fields, 6 MV"),
    ),
    "tang": (
        ("Tangenten, 3D, in DIBH (deep inspiration breath hold)", "tangentiale Felder, 6 MV"),
        ("tangential fields in deep-inspiration breath-hold", "field-in-field tangents, 6 MV"),
    ),
    "ap_pa": (
        ("ap/pa-Gegenfelder, 6 MV", "opponierende Felder"),
        ("AP/PA parallel-opposed, 6 MV",),
    ),
    "sbrt": (
        ("SBRT, 4D-CT, 6 MV FFF", "Körperstamm-Stereotaxie (VMAT, FFF)"),
        ("SABR, 4D-CT-based ITV, 6 MV FFF", "stereotactic ablative RT (VMAT, FFF)"),
    ),
    "srs": (
        ("Radiochirurgie, maskenbasiert (HyperArc)", "Einzeit-Stereotaxie, 6 MV FFF"),
        ("frameless linac radiosurgery", "single-fraction SRS, non-coplanar arcs"),
    ),
    "fsrt": (
        ("fraktionierte Stereotaxie (FSRT)", "hypofraktionierte stereotaktische RT"),
        ("fractionated stereotactic RT", "hfSRT, non-coplanar VMAT"),
    ),
    "electrons": (
        ("Elektronen 9 MeV, Bolus 5 mm", "Stehfeld, Elektronen 6 MeV"),
        ("9 MeV electrons",),
    ),
    "orthovolt": (
        ("Orthovolt-Röntgen, 150 kV", "Röntgentherapie 120 kV"),
        ("orthovoltage, 150 kV",),
    ),
    "hdr": (
        ("HDR-Brachytherapie (Ir-192), Ring-Applikator", "MRT-gestützte HDR-Brachy"),
        ("HDR brachytherapy, Ir-192, tandem and ring", "MRI-guided HDR brachytherapy"),
    ),
    "protons": (
        ("Protonen (PBS), Gy(RBE)", "Protonentherapie, Pencil Beam"),
        ("PBS proton therapy",),
    ),
}

# Code-switching: a term of the other language, as colleagues write it in a hurry.
_SWITCH: dict[str, tuple[_T, ...]] = {
    "de": (
        ("Tumorbett", "tumour bed"),
        ("Resektionshöhle", "resection cavity"),
        ("LAW", "nodes"),
        ("Primarius", "primary"),
        ("Nachsorge", "Follow-up"),
        ("Schmerzen", "pain"),
        ("MRT", "MRI"),
        ("Kontrolle", "Check-up"),
        ("Rezidiv", "recurrence"),
    ),
    "en": (
        ("tumour bed", "Tumorbett"),
        ("nodes", "LK"),
        ("primary", "Primarius"),
        ("follow-up", "Nachsorge"),
        ("MRI", "MRT"),
        ("review", "Kontrolle"),
        ("pain", "Schmerz"),
        ("recurrence", "Rezidiv"),
    ),
}

_BREAST_HISTOLOGY = (
    (
        "Invasives Karzinom NST, ER 90 %, PR 60 %, HER2 negativ",
        "NST carcinoma, ER 90%, PR 60%, HER2-",
    ),
    ("Invasiv-lobuläres Karzinom, HR-positiv", "invasive lobular carcinoma, hormone receptor +"),
)
_BREAST_STAGES = (
    ("pT1c pN0(sn) cM0 L0 V0 R0", "IA"),
    ("pT2 pN1a (2/11) cM0", "IIB"),
    ("pT1b, pN0 (0/2 sn), cM0", "IA"),
    ("ypT1a ypN0 cM0 R0", ""),
)
_G123 = (("G1", "G1"), ("G2", "G2"), ("G3", "G3"))
_BREAST = _Site(
    diagnoses=(
        _Dx(
            "C50.4",
            (
                "Invasiv-duktales Mammakarzinom {side}, oben außen",
                "Invasive ductal carcinoma of the {side} breast, upper outer quadrant",
            ),
            _BREAST_HISTOLOGY,
            _G123,
            _BREAST_STAGES,
            lateral=True,
        ),
        _Dx(
            "C50.2",
            (
                "Mamma-Ca {s}, oberer innerer Quadrant",
                "{side} breast carcinoma, upper inner quadrant",
            ),
            _BREAST_HISTOLOGY,
            _G123,
            _BREAST_STAGES,
            lateral=True,
        ),
        _Dx(
            "C50.1",
            (
                "Zentrales (retromamilläres) Mammakarzinom {side}",
                "Central (retroareolar) cancer of the {side} breast",
            ),
            _BREAST_HISTOLOGY,
            _G123,
            _BREAST_STAGES,
            lateral=True,
        ),
        _Dx(
            "D05.1",
            ("DCIS der Mamma {side}, high grade", "High-grade DCIS, {side} breast"),
            (
                (
                    "Duktales Carcinoma in situ, Kerngrad 3, Komedonekrosen",
                    "DCIS, nuclear grade 3, comedo necrosis",
                ),
            ),
            (),
            (("pTis pNX cM0", "0"),),
            plans=(0, 1, 3),
            lateral=True,
        ),
    ),
    plans=(
        _p(_c("Mamma {side} (Ganzbrust)", "whole {side} breast", "tang", 2.67, 15)),
        _p(
            _c("Brust {s}", "WBI {s}", "tang", 2.67, 15),
            _c(
                "Tumorbett {side}, seq. Boost",
                "{side} tumour bed, sequential boost",
                "electrons",
                2.0,
                8,
            ),
        ),
        _p(
            _c("Restmamma {side}", "{side} breast after lumpectomy", "vmat", 2.0, 25),
            _c("Boost auf das Tumorbett {s}", "tumour bed boost ({s})", "3d", 2.0, 8),
        ),
        _p(
            _c(
                "Brust {side} inkl. Narbe (FAST-Forward)",
                "{side} breast incl. scar, FAST-Forward",
                "tang",
                5.2,
                5,
            )
        ),
        _p(
            _c("Mamma {side}", "{side} breast PTV", "vmat", 2.5, 16),
            _c("SIB Tumorbett {side}", "SIB to the {side} tumour bed", "vmat", 3.0, 16, sim=True),
        ),
        _p(
            _c("Thoraxwand {side}", "{side} chest wall", "vmat", 2.67, 15),
            _c(
                "Supra-/infraklavikuläre LAW {side}",
                "{side} supraclavicular and axillary level III–IV nodes",
                "vmat",
                2.67,
                15,
                sim=True,
            ),
            _c("Boost Narbenregion {s}", "scar boost {s}", "electrons", 2.0, 5),
        ),
    ),
    history=(
        ("other", ("Stanzbiopsie {s} (B5b)", "ultrasound-guided core biopsy, {side} breast (B5b)")),
        ("imaging", ("MRT Mammae: unifokal", "breast MRI: unifocal disease")),
        (
            "surgery",
            (
                "BET {side} mit SLNB, R0 (knapp 1 mm ventral)",
                "wide local excision {side} with sentinel node biopsy, R0",
            ),
        ),
        ("systemic", ("Beginn Letrozol 2,5 mg/d", "letrozole 2.5 mg daily started")),
    ),
    toxicities=(
        ("Radiogene Dermatitis", "Dermatitis radiation"),
        ("Fatigue", "Fatigue"),
        ("Mastodynie", "Breast pain"),
        ("Hyperpigmentierung", "Skin hyperpigmentation"),
    ),
    late_effects=(
        ("Brustfibrose", "Fibrosis deep connective tissue"),
        ("Teleangiektasien", "Telangiectasia"),
    ),
    findings=(
        (
            "Narbe {side} reizlos verheilt, axillär keine tastbaren LK.",
            "The {side} breast scar has healed well; no palpable axillary nodes.",
        ),
        (
            "Mammographie/Sono ohne Rezidivhinweis, diskrete Induration im Boostbereich.",
            "Mammogram and ultrasound show no recurrence; slight induration at the boost site.",
        ),
    ),
    advice=(
        (
            "Rückfettende Hautpflege, 2 Wochen kein Deo auf der bestrahlten Seite",
            "Moisturise the treated skin and avoid deodorant on that side for two weeks",
        ),
        (
            "Endokrine Therapie wie geplant über 5 Jahre fortführen",
            "Continue the endocrine therapy as planned for five years",
        ),
        ("Mammographie beidseits jährlich", "Yearly mammogram of both breasts"),
    ),
    follow_up=("Mammographie und gynäkologische Nachsorge", "mammogram with breast clinic review"),
    sex="female",
)

_PROSTATE = _Site(
    diagnoses=(
        _Dx(
            "C61",
            (
                "Prostatakarzinom, intermediäres Risiko (D'Amico)",
                "Prostate adenocarcinoma, intermediate risk (D'Amico)",
            ),
            (("Azinäres Adenokarzinom, Gleason 3+4=7a", "acinar adenocarcinoma, Gleason 3+4=7"),),
            (("ISUP-Gradgruppe 2", "ISUP grade group 2"),),
            (("cT2b cN0 cM0", "IIB"),),
            plans=(0, 1, 2),
        ),
        _Dx(
            "C61",
            (
                "Hochrisiko-Prostatakarzinom, PSA 24 ng/ml",
                "High-risk prostate cancer, PSA 24 ng/mL",
            ),
            (("Adenokarzinom, Gleason 4+4=8", "adenocarcinoma, Gleason 4+4=8"),),
            (("ISUP 4", "ISUP grade group 4"),),
            (("cT3a cN0 cM0 (PSMA-PET)", "IIIB"),),
            plans=(3,),
        ),
        _Dx(
            "C61",
            (
                "PSA-Rezidiv nach radikaler Prostatektomie",
                "Biochemical relapse after radical prostatectomy",
            ),
            (("Adenokarzinom, Gleason 4+3=7b", "adenocarcinoma, Gleason 4+3=7"),),
            (("ISUP 3", "ISUP grade group 3"),),
            (("pT3a pN0 (0/14) R1", "IIIB"),),
            plans=(4,),
            history=(
                (
                    "surgery",
                    (
                        "Roboter-assistierte radikale Prostatektomie",
                        "robot-assisted radical prostatectomy",
                    ),
                ),
                ("imaging", ("PSMA-PET: kein Korrelat", "PSMA PET: no visible disease")),
            ),
        ),
    ),
    plans=(
        _p(
            _c(
                "Prostata + basisnahe Samenblasen",
                "prostate and proximal 1 cm of seminal vesicles",
                "vmat",
                2.5,
                28,
            )
        ),
        _p(_c("Prostata (CHHiP-Schema)", "prostate only, CHHiP schedule", "imrt", 3.0, 20)),
        _p(
            _c(
                "Prostata, SBRT mit Rektum-Spacer",
                "prostate SBRT with rectal spacer in situ",
                "sbrt",
                7.25,
                5,
            )
        ),
        _p(
            _c(
                "Pelvine LAW (iliakal, präsakral)",
                "pelvic nodal CTV, iliac and presacral",
                "vmat",
                1.8,
                28,
                conc=("ADT mit Leuprorelin-3-Monats-Depot", "ADT (leuprorelin 3-monthly)"),
            ),
            _c(
                "Prostata + Samenblasen (SIB)",
                "prostate and seminal vesicles, SIB",
                "vmat",
                2.5,
                28,
                sim=True,
            ),
        ),
        _p(_c("Prostataloge (Salvage)", "prostate bed, salvage", "vmat", 2.0, 35)),
    ),
    history=(
        ("imaging", ("mpMRT Prostata, PI-RADS 5", "multiparametric MRI prostate, PI-RADS 5")),
        (
            "other",
            ("Fusionsbiopsie: 5/12 Stanzen positiv", "MRI-fusion biopsy: 5 of 12 cores positive"),
        ),
        ("imaging", ("PSMA-PET/CT ohne Fernmetastasen", "PSMA PET/CT: no distant disease")),
    ),
    toxicities=(
        ("Pollakisurie", "Urinary frequency"),
        ("Zystitis (radiogen)", "Cystitis noninfective"),
        ("Proktitis", "Proctitis"),
        ("Diarrhö", "Diarrhea"),
    ),
    late_effects=(
        ("Rektale Blutung", "Rectal hemorrhage"),
        ("Erektile Dysfunktion", "Erectile dysfunction"),
    ),
    findings=(
        ("PSA {psa} ng/ml, IPSS 9, Kontinenz erhalten.", "PSA {psa} ng/mL, IPSS 9, continent."),
        (
            "PSA-Nadir {psa_low} ng/ml, keine Miktionsbeschwerden.",
            "PSA nadir {psa_low} ng/mL; no urinary symptoms.",
        ),
    ),
    advice=(
        ("PSA alle 3 Monate beim Urologen", "PSA every 3 months with the urologist"),
        ("ADT insgesamt 24 Monate fortführen", "Continue ADT for 24 months in total"),
        (
            "Bei Makrohämaturie urologische Vorstellung",
            "Urology review if there is visible blood in the urine",
        ),
    ),
    follow_up=("PSA-Wert + urologische Kontrolle", "PSA test and urology clinic"),
    sex="male",
)

_RECTUM = _Site(
    diagnoses=(
        _Dx(
            "C20",
            (
                "Adenokarzinom des Rektums, Unterrand 8 cm ab ano",
                "Rectal adenocarcinoma, lower edge 8 cm from the anal verge",
            ),
            (("Adenokarzinom, pMMR", "adenocarcinoma, mismatch-repair proficient"),),
            (("G2", "G2"),),
            (("cT3c cN1b cM0, MRF frei", "IIIB"), ("cT3b cN0 cM0", "IIA")),
        ),
        _Dx(
            "C20",
            (
                "Tiefsitzendes Rektum-Ca (4 cm ab ano)",
                "Low rectal cancer, 4 cm from the anal verge",
            ),
            (("muzinöses Adenokarzinom", "mucinous adenocarcinoma"),),
            (("G3", "G3"),),
            (("cT4a cN2a cM0", "IIIC"),),
        ),
    ),
    plans=(
        _p(
            _c(
                "Mesorektum + präsakrale/iliakal-interne LK",
                "mesorectum, presacral and internal iliac nodes",
                "vmat",
                5.0,
                5,
            )
        ),
        _p(
            _c(
                "Kleines Becken (Rektum, Mesorektum, LAW)",
                "pelvis incl. mesorectum and regional nodes",
                "imrt",
                1.8,
                28,
                conc=(
                    "Capecitabin 825 mg/m² 2x tgl. an RT-Tagen",
                    "capecitabine 825 mg/m² twice daily on RT days",
                ),
            )
        ),
        _p(
            _c(
                "Becken + Mesorektum",
                "pelvic CTV with mesorectum",
                "vmat",
                1.8,
                28,
                conc=("Capecitabin", "capecitabine"),
            ),
            _c("Boost Primarius Rektum", "rectal primary boost", "vmat", 1.8, 3),
        ),
    ),
    history=(
        ("other", ("Koloskopie mit Biopsie", "colonoscopy with biopsy")),
        ("imaging", ("MRT Becken: MRF frei, EMVI negativ", "pelvic MRI: clear MRF, EMVI negative")),
        (
            "imaging",
            ("CT Thorax/Abdomen: keine Fernmetastasen", "staging CT: no distant metastases"),
        ),
    ),
    toxicities=(
        ("Diarrhö", "Diarrhea"),
        ("Proktitis", "Proctitis"),
        ("Perianale Dermatitis", "Dermatitis radiation, perianal"),
        ("Hand-Fuß-Syndrom", "Palmar-plantar erythrodysesthesia syndrome"),
    ),
    late_effects=(
        ("Stuhlinkontinenz", "Fecal incontinence"),
        ("Erhöhte Stuhlfrequenz", "Diarrhea"),
    ),
    findings=(
        (
            "Rektal digital Unterrand bei ca. 7 cm, aktuell keine Blutung.",
            "Lower edge palpable at about 7 cm on rectal examination; no bleeding now.",
        ),
        (
            "MRT: gute Regression (mrTRG 2), CEA normal.",
            "MRI: good regression (mrTRG 2); CEA normal.",
        ),
    ),
    advice=(
        (
            "Restaging-MRT nach 6–8 Wochen, dann Tumorkonferenz",
            "Restaging MRI after 6–8 weeks, then tumour board",
        ),
        (
            "Konsolidierende Chemotherapie (FOLFOX) im Rahmen der TNT",
            "FOLFOX consolidation as part of total neoadjuvant therapy",
        ),
        ("Loperamid bei Bedarf", "Loperamide as needed"),
    ),
    follow_up=("Rektoskopie und MRT Becken", "flexible sigmoidoscopy and pelvic MRI"),
)

_LUNG_PLACES = (("Oberlappen", "upper lobe"),)
_LUNG = _Site(
    diagnoses=(
        _Dx(
            "C34.1",
            (
                "NSCLC (Adenokarzinom) im Oberlappen {side}",
                "Adenocarcinoma of the {side} upper lobe (NSCLC)",
            ),
            (
                (
                    "Adenokarzinom, TTF1+, PD-L1 TPS 60 %, EGFR/ALK negativ",
                    "adenocarcinoma, TTF-1+, PD-L1 TPS 60%, no EGFR/ALK alteration",
                ),
            ),
            (),
            (("cT1b cN0 cM0", "IA2"), ("cT2a cN0 cM0", "IB")),
            _LUNG_PLACES,
            (0, 1, 2),
            lateral=True,
        ),
        _Dx(
            "C34.3",
            (
                "Peripheres Plattenepithelkarzinom, Unterlappen {side}",
                "Peripheral squamous cell lung cancer, {side} lower lobe",
            ),
            (("Plattenepithelkarzinom", "squamous cell carcinoma"),),
            (("G2", "G2"),),
            (("cT1c cN0 cM0", "IA3"),),
            (("Unterlappen", "lower lobe"),),
            (0, 1, 2),
            lateral=True,
        ),
        _Dx(
            "C34.1",
            (
                "Lokal fortgeschrittenes NSCLC, Oberlappen {side}",
                "Locally advanced NSCLC, {side} upper lobe",
            ),
            (("Adenokarzinom", "adenocarcinoma"),),
            (),
            (("cT3 cN2 cM0", "IIIB"), ("cT2b cN2 cM0", "IIIA")),
            _LUNG_PLACES,
            (3,),
            lateral=True,
        ),
    ),
    plans=(
        _p(
            _c(
                "Herd im {place} {side}, ITV + 5 mm",
                "{side} {place} nodule, ITV + 5 mm",
                "sbrt",
                15.0,
                3,
            )
        ),
        _p(
            _c(
                "Zentraler Herd {place} {side} (risikoadaptiert)",
                "central {side} {place} lesion, risk-adapted",
                "sbrt",
                7.5,
                8,
            )
        ),
        _p(_c("Rundherd {place} {s}", "{place} lesion ({s})", "sbrt", 12.0, 4)),
        _p(
            _c(
                "Primarius {place} {side} + LK-Stationen 4R/7",
                "primary in the {side} {place} plus nodal stations 4R and 7",
                "vmat",
                2.0,
                33,
                conc=(
                    "Cisplatin/Vinorelbin, 2 Zyklen simultan",
                    "two concurrent cycles of cisplatin/vinorelbine",
                ),
            )
        ),
    ),
    history=(
        (
            "other",
            ("EBUS-Bronchoskopie: Histologie gesichert", "EBUS bronchoscopy: histology confirmed"),
        ),
        ("imaging", ("FDG-PET/CT", "FDG PET-CT staging")),
        ("imaging", ("cMRT: keine Hirnmetastasen", "MRI brain: no metastases")),
        ("other", ("Lungenfunktion: FEV1 58 % Soll", "lung function: FEV1 58% predicted")),
    ),
    toxicities=(
        ("Pneumonitis", "Pneumonitis"),
        ("Ösophagitis", "Esophagitis"),
        ("Husten", "Cough"),
        ("Brustwandschmerz", "Chest wall pain"),
    ),
    late_effects=(("Lungenfibrose", "Pulmonary fibrosis"), ("Rippenfraktur", "Fracture")),
    findings=(
        (
            "SpO₂ 95 % bei Raumluft, Belastungsdyspnoe ab 2 Etagen.",
            "SpO2 95% on room air; breathless after two flights of stairs.",
        ),
        (
            "CT Thorax: narbige Veränderung im Feld, kein vitaler Tumor.",
            "CT chest: fibrotic change in the field, no viable tumour.",
        ),
    ),
    advice=(
        (
            "Bei Fieber/Husten zeitnah Pneumonitis ausschließen",
            "Seek review promptly for fever or new cough (pneumonitis)",
        ),
        ("CT Thorax alle 3 Monate im ersten Jahr", "CT chest every three months in year one"),
        ("Rauchstopp dringend empfohlen", "Strongly advised to stop smoking"),
    ),
    follow_up=("CT Thorax + Lungenfunktion", "CT chest and lung function tests"),
)

_GLIOMA_HISTOLOGY = (
    (
        "Glioblastom, IDH-Wildtyp, MGMT-Promotor methyliert",
        "glioblastoma, IDH-wildtype, MGMT promoter methylated",
    ),
    ("Glioblastom, IDH-wt, MGMT unmethyliert", "glioblastoma, IDH-wt, MGMT unmethylated"),
)
_CNS4 = (("ZNS-WHO-Grad 4", "CNS WHO grade 4"),)
_GLIOMA = _Site(
    diagnoses=(
        _Dx(
            "C71.1",
            (
                "Glioblastom IDH-Wildtyp, frontal {side}",
                "IDH-wildtype glioblastoma, {side} frontal lobe",
            ),
            _GLIOMA_HISTOLOGY,
            _CNS4,
            places=(("frontal", "frontal"),),
            lateral=True,
        ),
        _Dx(
            "C71.2",
            ("Glioblastom temporal {side}", "{side} temporal glioblastoma"),
            _GLIOMA_HISTOLOGY,
            _CNS4,
            places=(("temporal", "temporal"),),
            lateral=True,
        ),
        _Dx(
            "C71.3",
            ("GBM parietal {s}", "GBM, {side} parietal"),
            _GLIOMA_HISTOLOGY,
            _CNS4,
            places=(("parietal", "parietal"),),
            lateral=True,
        ),
    ),
    plans=(
        _p(
            _c(
                "Resektionshöhle + KM-Rest {place} {side}",
                "{side} {place} resection cavity and residual enhancement",
                "vmat",
                2.0,
                30,
                conc=("Temozolomid 75 mg/m²/d", "temozolomide 75 mg/m² daily"),
            )
        ),
        _p(
            _c(
                "Tumorregion {place} {s} (hypofraktioniert, > 65 J.)",
                "{place} tumour region ({s}), hypofractionated for age",
                "vmat",
                2.67,
                15,
                conc=("Temozolomid", "temozolomide"),
            )
        ),
        _p(
            _c(
                "Lokalrezidiv {place} {side} (Re-Bestrahlung)",
                "{side} {place} recurrence, re-irradiation",
                "fsrt",
                3.0,
                12,
            ),
            prior=(
                "Radiochemotherapie mit 60 Gy und Temozolomid",
                "chemoradiation to 60 Gy with temozolomide",
            ),
        ),
        _p(
            _c(
                "Phase 1: T2/FLAIR-Region {place} {side}",
                "phase 1: {side} {place} T2/FLAIR region",
                "vmat",
                2.0,
                23,
                conc=("Temozolomid 75 mg/m²", "temozolomide 75 mg/m²"),
            ),
            _c(
                "Phase 2 (Cone-down): KM-Region {place}",
                "phase 2 cone-down: {place} enhancing region",
                "vmat",
                2.0,
                7,
            ),
        ),
    ),
    history=(
        ("imaging", ("cMRT: ringförmig KM-aufnehmende Raumforderung", "MRI: ring-enhancing mass")),
        (
            "surgery",
            (
                "5-ALA-gestützte Resektion, Resttumor < 1 cm³",
                "fluorescence-guided resection, residual < 1 cm³",
            ),
        ),
        ("imaging", ("postoperatives MRT < 48 h", "early postoperative MRI within 48 h")),
    ),
    toxicities=(
        ("Alopezie", "Alopecia"),
        ("Kopfschmerz", "Headache"),
        ("Fatigue", "Fatigue"),
        ("Thrombozytopenie", "Platelet count decreased"),
    ),
    late_effects=(("Kognitive Einschränkung", "Cognitive disturbance"), ("Fatigue", "Fatigue")),
    findings=(
        (
            "Leichte Wortfindungsstörung, sonst unauffällig; Dexamethason 2 mg/d.",
            "Mild word-finding difficulty, no other deficit; dexamethasone 2 mg daily.",
        ),
        (
            "MRT: keine neue KM-Aufnahme, stabil nach RANO.",
            "MRI: no new enhancement, stable disease by RANO.",
        ),
    ),
    advice=(
        (
            "Adjuvant Temozolomid 150–200 mg/m² d1–5 q28d, 6 Zyklen",
            "Six cycles of adjuvant temozolomide 150–200 mg/m² days 1–5 every 28 days",
        ),
        ("Dexamethason ausschleichen", "Taper dexamethasone"),
        (
            "Kein Führen eines Kfz bis zur neurologischen Reevaluation",
            "No driving until the neurology review",
        ),
    ),
    follow_up=("MRT Schädel (RANO)", "MRI head (RANO)"),
)

_HEAD_NECK = _Site(
    diagnoses=(
        _Dx(
            "C09.9",
            (
                "Tonsillenkarzinom {side}, p16-positiv",
                "p16-positive carcinoma of the {side} tonsil",
            ),
            (("Plattenepithelkarzinom, p16 positiv", "squamous cell carcinoma, p16-positive"),),
            (("G2", "G2"), ("G3", "G3")),
            (("cT2 cN1 cM0", "I"), ("cT3 cN1 cM0", "II")),
            plans=(0, 1, 2),
            lateral=True,
        ),
        _Dx(
            "C32.0",
            ("Stimmlippenkarzinom {side}", "Squamous cell carcinoma of the {side} vocal cord"),
            (("verhornendes Plattenepithelkarzinom", "keratinising squamous cell carcinoma"),),
            (("G1", "G1"), ("G2", "G2")),
            (("cT1a cN0 cM0", "I"), ("cT2 cN0 cM0", "II")),
            plans=(3, 4),
            history=(
                ("other", ("Mikrolaryngoskopie mit PE", "microlaryngoscopy and biopsy")),
                ("imaging", ("CT Hals: keine LK-Metastasen", "CT neck: no nodal disease")),
            ),
            lateral=True,
        ),
        _Dx(
            "C04.0",
            ("Vorderes Mundbodenkarzinom", "Carcinoma of the anterior floor of mouth"),
            (("Plattenepithelkarzinom, Pn1", "squamous cell carcinoma with perineural invasion"),),
            (("G2", "G2"),),
            (("pT2 pN1 (1/38) cM0 R0", "III"),),
            plans=(5,),
            history=(
                (
                    "surgery",
                    (
                        "Resektion, Neck Dissection bds., Radialislappen, R0",
                        "resection, bilateral neck dissection, radial forearm flap, R0",
                    ),
                ),
                ("other", ("Zahnsanierung vor RT", "dental clearance before RT")),
            ),
        ),
    ),
    plans=(
        _p(
            _c(
                "PTV1 Primarius + befallene LK (SIB)",
                "PTV1: primary and involved nodes (SIB)",
                "vmat",
                2.12,
                33,
                conc=(
                    "Cisplatin 100 mg/m² d1, d22, d43",
                    "cisplatin 100 mg/m² on days 1, 22 and 43",
                ),
            ),
            _c(
                "PTV2 ipsilaterale LAW Level II–IV",
                "PTV2: ipsilateral neck levels II–IV",
                "vmat",
                1.8,
                33,
                sim=True,
            ),
            _c(
                "PTV3 elektive kontralaterale LAW",
                "PTV3: elective contralateral neck",
                "vmat",
                1.6,
                33,
                sim=True,
            ),
        ),
        _p(
            _c(
                "Tonsillenloge {side} + zervikale LAW bds.",
                "{side} tonsillar fossa and both sides of the neck",
                "tomo",
                2.0,
                35,
                conc=("Cisplatin 40 mg/m² wöchentlich", "weekly cisplatin 40 mg/m²"),
            )
        ),
        _p(
            _c(
                "Halsweichteile bds. (elektiv)",
                "bilateral neck, elective dose",
                "vmat",
                2.0,
                25,
                conc=("Cisplatin 40 mg/m² wö.", "cisplatin 40 mg/m² weekly"),
            ),
            _c(
                "Boost: Tonsille {side} + LK Level II",
                "boost: {side} tonsil and level II node",
                "vmat",
                2.0,
                10,
            ),
        ),
        _p(_c("Glottis, kleines Larynxfeld", "glottic larynx, small field", "3d", 2.25, 28)),
        _p(
            _c(
                "Larynx inkl. vorderer Kommissur",
                "larynx including the anterior commissure",
                "imrt",
                2.0,
                33,
            )
        ),
        _p(
            _c(
                "Tumorbett Mundboden + Level I–III bds.",
                "floor-of-mouth tumour bed and levels I–III on both sides",
                "vmat",
                2.0,
                30,
            )
        ),
    ),
    history=(
        ("other", ("Panendoskopie mit PE", "panendoscopy and biopsy")),
        ("imaging", ("MRT Hals + CT Thorax", "MRI neck and CT chest")),
        (
            "other",
            (
                "Zahnsanierung, Fluoridierungsschiene angepasst",
                "dental assessment; fluoride trays made",
            ),
        ),
        ("other", ("prophylaktische PEG-Anlage", "prophylactic PEG tube placed")),
    ),
    toxicities=(
        ("Orale Mukositis", "Mucositis oral"),
        ("Dysphagie", "Dysphagia"),
        ("Mundtrockenheit", "Dry mouth"),
        ("Geschmacksstörung", "Dysgeusia"),
        ("Heiserkeit", "Hoarseness"),
    ),
    late_effects=(
        ("Xerostomie", "Dry mouth"),
        ("Lymphödem submental", "Lymphedema"),
        ("Trismus", "Trismus"),
    ),
    findings=(
        (
            "Schluckakt ungestört, Gewicht stabil; Zahnstatus saniert.",
            "Swallowing normal, weight stable, dental work completed.",
        ),
        (
            "Endoskopie: Schleimhaut reizfrei, kein Rezidivhinweis; Mundtrockenheit.",
            "Endoscopy: mucosa healed, no sign of recurrence; dry mouth persists.",
        ),
    ),
    advice=(
        (
            "Mundspülungen (Salbei, Bepanthen), Fluoridgel täglich",
            "Saline/bicarbonate mouthwash and daily fluoride gel",
        ),
        ("Logopädie / Schlucktraining", "Speech and swallowing therapy"),
        ("TSH jährlich (Schilddrüse im Feld)", "Yearly TSH (thyroid in the field)"),
        ("Zahnärztliche Kontrolle alle 6 Monate", "Dental check every six months"),
    ),
    follow_up=("HNO-Spiegelung + MRT Hals", "ENT endoscopy and MRI neck"),
)

_ANAL = _Site(
    diagnoses=(
        _Dx(
            "C21.1",
            ("Plattenepithelkarzinom des Analkanals", "Squamous cell carcinoma of the anal canal"),
            (("Plattenepithelkarzinom, p16+", "squamous cell carcinoma, p16+"),),
            (("G2", "G2"),),
            (("cT2 cN1a cM0", "IIIA"), ("cT3 cN0 cM0", "IIB"), ("cT2 cN0 cM0", "IIA")),
        ),
    ),
    plans=(
        _p(
            _c(
                "Primarius Analkanal + inguinale/iliakale LK",
                "anal primary with inguinal and iliac nodes",
                "imrt",
                1.8,
                28,
                conc=(
                    "Mitomycin C 12 mg/m² d1 + Capecitabin 825 mg/m² 2x tgl.",
                    "mitomycin C 12 mg/m² day 1 with capecitabine 825 mg/m² twice daily",
                ),
            ),
            _c("Boost Analkanal", "anal canal boost", "imrt", 1.8, 5),
        ),
        _p(
            _c(
                "Analkanal-Primarius",
                "anal canal primary",
                "vmat",
                1.8,
                28,
                conc=("MMC/5-FU", "MMC and 5-FU"),
            ),
            _c(
                "Elektive LAW (inguinal, iliakal) SIB",
                "elective nodes (inguinal, iliac), SIB",
                "vmat",
                1.5,
                28,
                sim=True,
            ),
        ),
    ),
    history=(
        ("other", ("Proktoskopie mit Biopsie", "proctoscopy and biopsy")),
        ("imaging", ("MRT Becken + PET-CT", "pelvic MRI and PET-CT")),
        ("other", ("HIV-Test negativ", "HIV test negative")),
    ),
    toxicities=(
        ("Perianale Dermatitis", "Dermatitis radiation, perianal"),
        ("Diarrhö", "Diarrhea"),
        ("Leukopenie", "White blood cell decreased"),
        ("Proktitis", "Proctitis"),
    ),
    late_effects=(("Stuhlinkontinenz", "Fecal incontinence"), ("Analstenose", "Anal stenosis")),
    findings=(
        (
            "Tumor ca. 3 cm tastbar, Schmerzen bei Defäkation (NRS 4).",
            "Palpable 3 cm tumour, pain on defecation (NRS 4).",
        ),
        (
            "Klinische Komplettremission 26 Wochen nach RCT.",
            "Clinical complete response 26 weeks after chemoradiation.",
        ),
    ),
    advice=(
        ("Sitzbäder mit Gerbstoff, weicher Stuhl anstreben", "Sitz baths and stool softeners"),
        (
            "Ansprechen frühestens nach 26 Wochen beurteilen",
            "Judge the response no earlier than 26 weeks",
        ),
    ),
    follow_up=("Proktologische Untersuchung + MRT", "proctology review and pelvic MRI"),
)

_CERVIX = _Site(
    diagnoses=(
        _Dx(
            "C53.0",
            (
                "Zervixkarzinom FIGO IIB (Plattenepithel)",
                "Squamous carcinoma of the cervix uteri, FIGO IIB",
            ),
            (("Plattenepithelkarzinom, nicht verhornend", "non-keratinising squamous carcinoma"),),
            (("G2", "G2"),),
            (("cT2b cN0 cM0", "IIB"),),
        ),
        _Dx(
            "C53.1",
            (
                "Adenokarzinom der Cervix uteri (Ektozervix), FIGO IIIC1r",
                "Adenocarcinoma of the exocervix, FIGO IIIC1r",
            ),
            (("HPV-assoziiertes Adenokarzinom", "HPV-associated adenocarcinoma"),),
            (("G3", "G3"),),
            (("cT1b2 cN1 cM0", ""),),
        ),
    ),
    plans=(
        _p(
            _c(
                "Becken: Uterus, Parametrien, pelvine LK",
                "pelvis: uterus, parametria and pelvic nodes",
                "vmat",
                1.8,
                25,
                conc=(
                    "Cisplatin 40 mg/m² wöchentlich, 5 Zyklen",
                    "weekly cisplatin 40 mg/m², five cycles",
                ),
            ),
            _c(
                "HDR-Brachy Zervix (HR-CTV)",
                "image-guided brachytherapy to the HR-CTV",
                "hdr",
                7.0,
                4,
            ),
        ),
        _p(
            _c(
                "Becken + paraaortale LK bis L2",
                "pelvis and para-aortic nodes up to L2",
                "tomo",
                1.8,
                28,
                conc=("Cisplatin wöchentlich", "weekly cisplatin"),
            ),
            _c("Brachytherapie HR-CTV", "HR-CTV brachytherapy", "hdr", 8.0, 3),
        ),
    ),
    history=(
        ("other", ("Kolposkopie mit Biopsie", "colposcopy with biopsy")),
        (
            "imaging",
            (
                "MRT Becken: Parametrieninfiltration rechts",
                "pelvic MRI: right parametrial invasion",
            ),
        ),
        ("imaging", ("FDG-PET/CT", "FDG PET-CT")),
    ),
    toxicities=(
        ("Diarrhö", "Diarrhea"),
        ("Zystitis", "Cystitis noninfective"),
        ("Übelkeit", "Nausea"),
        ("Anämie", "Anemia"),
    ),
    late_effects=(("Vaginalstenose", "Vaginal stricture"), ("Proktitis (chronisch)", "Proctitis")),
    findings=(
        (
            "Exophytischer Zervixtumor, Parametrium rechts infiltriert.",
            "Exophytic cervical tumour with right parametrial involvement.",
        ),
        ("MRT: kein Resttumor; Vagina gut entfaltbar.", "MRI: no residual tumour; vagina supple."),
    ),
    advice=(
        (
            "Vaginaldilatator ab 4 Wochen nach Therapieende",
            "Start vaginal dilators four weeks after treatment",
        ),
        (
            "Hormonersatz bei therapiebedingter Menopause besprechen",
            "Discuss HRT for treatment-induced menopause",
        ),
        ("Hb-Kontrolle, Ziel > 10 g/dl", "Keep haemoglobin above 10 g/dL"),
    ),
    follow_up=("Gynäkologische Untersuchung + MRT Becken", "gynae-oncology review and pelvic MRI"),
    sex="female",
)

_BONE_PLACES = (
    ("BWK 10", "T10 vertebral body"),
    ("LWK 3 mit epiduralem Anteil", "L3 with epidural extension"),
    ("Os sacrum", "sacrum"),
    ("Femurhals {side}", "{side} femoral neck"),
    ("Humerusschaft {side}", "{side} humeral shaft"),
)
_BONE = _Site(
    diagnoses=(
        _Dx(
            "C79.5",
            ("Schmerzhafte Knochenmetastase {place}", "Painful bone metastasis, {place}"),
            places=_BONE_PLACES,
        ),
        _Dx(
            "C79.5",
            ("Ossäre Filialisierung, u. a. {place}", "Skeletal metastases including {place}"),
            places=_BONE_PLACES,
        ),
    ),
    plans=(
        _p(_c("{place}", "{place}", "3d", 8.0, 1)),
        _p(_c("{place} mit Sicherheitssaum", "{place} with margin", "ap_pa", 4.0, 5)),
        _p(_c("{place} (palliativ)", "{place}, palliative", "3d", 3.0, 10)),
        _p(
            _c(
                "{place}, oligometastatisch dosiseskaliert",
                "{place}, oligometastatic, dose-escalated",
                "vmat",
                3.0,
                13,
            )
        ),
        _p(_c("{place}, SBRT", "SBRT to {place}", "sbrt", 9.0, 3)),
        _p(
            _c("{place}", "{place}", "3d", 8.0, 1),
            _c("Beckenschaufel {side}", "{side} iliac wing", "3d", 4.0, 5, sim=True),
        ),
        _p(
            _c("{place}, erneute Bestrahlung", "{place}, re-treatment", "3d", 8.0, 1),
            prior=(
                "8 Gy Einzeitbestrahlung derselben Region",
                "single 8 Gy fraction to the same site",
            ),
        ),
    ),
    history=(
        ("imaging", ("MRT Wirbelsäule: keine Myelonkompression", "MRI spine: no cord compression")),
        ("imaging", ("Knochenszintigraphie: multiple Herde", "bone scan: several lesions")),
        ("systemic", ("Systemtherapie für die RT pausiert", "systemic therapy paused for RT")),
        ("other", ("Denosumab 120 mg alle 4 Wochen", "denosumab 120 mg every 4 weeks")),
    ),
    toxicities=(
        ("Schmerzexazerbation (Flare)", "Pain"),
        ("Übelkeit", "Nausea"),
        ("Fatigue", "Fatigue"),
        ("Diarrhö", "Diarrhea"),
    ),
    late_effects=(("Pathologische Fraktur", "Fracture"),),
    findings=(
        (
            "Schmerzen NRS 7 unter Metamizol/Tilidin, keine neurologischen Ausfälle.",
            "Pain 7/10 on regular analgesia; no neurological deficit.",
        ),
        (
            "Schmerzen deutlich rückläufig (NRS 2), Analgetika reduziert.",
            "Pain much improved (2/10); analgesics reduced.",
        ),
    ),
    advice=(
        ("Analgetika nach WHO-Stufenschema anpassen", "Titrate analgesia along the WHO ladder"),
        (
            "Systemtherapie durch die Onkologie fortführen",
            "Continue systemic therapy with the oncology team",
        ),
        (
            "Orthopädische Mitbeurteilung (Frakturrisiko, Mirels)",
            "Orthopaedic review of fracture risk (Mirels score)",
        ),
    ),
    follow_up=("Telefonische Schmerzevaluation", "telephone pain review"),
    primaries=(
        (
            "C64",
            (
                "Klarzelliges Nierenzellkarzinom (Primarius)",
                "Clear-cell renal cell carcinoma (primary)",
            ),
            None,
        ),
        (
            "C61",
            ("Kastrationsresistentes Prostatakarzinom", "Castration-resistant prostate cancer"),
            "male",
        ),
        (
            "C50.9",
            ("Metastasiertes Mammakarzinom, HR+/HER2-", "Metastatic HR+/HER2- breast cancer"),
            "female",
        ),
        ("C34.9", ("NSCLC, metastasiert (Stadium IV)", "Stage IV NSCLC"), None),
    ),
)

_BRAIN_PLACES = (
    ("präzentral links", "left precentral"),
    ("Kleinhirnhemisphäre rechts", "right cerebellar hemisphere"),
    ("okzipital rechts", "right occipital"),
    ("Thalamus links", "left thalamus"),
)
_BRAIN = _Site(
    diagnoses=(
        _Dx(
            "C79.3",
            (
                "Singuläre Hirnmetastase {place}, {mm} mm",
                "Solitary brain metastasis, {place}, {mm} mm",
            ),
            places=_BRAIN_PLACES,
            plans=(0, 1, 2),
        ),
        _Dx(
            "C79.3",
            ("Zerebrale Oligometastasierung (3 Läsionen)", "Three brain metastases"),
            places=_BRAIN_PLACES,
            plans=(3,),
        ),
        _Dx(
            "C79.3",
            ("Disseminierte Hirnmetastasen (> 10)", "More than ten brain metastases"),
            plans=(4,),
        ),
    ),
    plans=(
        _p(
            _c(
                "Metastase {place} (GTV {mm} mm)",
                "{place} metastasis (GTV {mm} mm)",
                "srs",
                20.0,
                1,
            )
        ),
        _p(_c("Metastase {place}, FSRT", "{place} lesion, fractionated", "fsrt", 6.0, 5)),
        _p(_c("Läsion {place} + 1 mm", "{place} lesion + 1 mm", "fsrt", 9.0, 3)),
        _p(
            _c("Läsion 1: {place}", "lesion 1: {place}", "srs", 20.0, 1),
            _c("Läsion 2: Kleinhirn links", "lesion 2: left cerebellum", "srs", 20.0, 1, sim=True),
            _c(
                "Läsion 3: frontal rechts subkortikal",
                "lesion 3: right frontal, subcortical",
                "srs",
                18.0,
                1,
                sim=True,
            ),
        ),
        _p(
            _c(
                "Ganzhirn mit Hippocampus-Schonung",
                "whole brain with hippocampal avoidance",
                "vmat",
                3.0,
                10,
                conc=("Memantin 20 mg/d", "memantine 20 mg daily"),
            )
        ),
    ),
    history=(
        ("imaging", ("Dünnschicht-MRT mit KM", "thin-slice contrast MRI")),
        ("other", ("Dexamethason 4 mg/d begonnen", "dexamethasone 4 mg daily started")),
        (
            "systemic",
            ("Systemtherapie läuft weiter (Onkologie)", "systemic therapy continues with oncology"),
        ),
    ),
    toxicities=(
        ("Kopfschmerz", "Headache"),
        ("Übelkeit", "Nausea"),
        ("Fatigue", "Fatigue"),
        ("Alopezie", "Alopecia"),
    ),
    late_effects=(
        ("Radionekrose", "Central nervous system necrosis"),
        ("Gedächtnisstörung", "Memory impairment"),
    ),
    findings=(
        (
            "Keine fokalen Defizite, morgendliche Kopfschmerzen.",
            "No focal deficit; morning headaches.",
        ),
        (
            "MRT: behandelte Läsion regredient, keine neuen Herde.",
            "MRI: treated lesion smaller, no new metastases.",
        ),
    ),
    advice=(
        ("Dexamethason über 10 Tage ausschleichen", "Wean dexamethasone over ten days"),
        ("MRT Schädel alle 3 Monate", "MRI brain every three months"),
        ("Vorerst kein Führen eines Kfz", "Advised not to drive for now"),
    ),
    follow_up=("MRT Schädel + Sprechstunde", "MRI head and clinic"),
    primaries=(
        (
            "C34.1",
            ("Adenokarzinom der Lunge, EGFR Exon 19", "Lung adenocarcinoma, EGFR exon 19 deletion"),
            None,
        ),
        ("C43.5", ("Malignes Melanom am Rumpf, BRAF V600E", "Truncal melanoma, BRAF V600E"), None),
        ("C50.9", ("HER2-positives Mammakarzinom", "HER2-positive breast cancer"), "female"),
    ),
)

_OESOPHAGUS = _Site(
    diagnoses=(
        _Dx(
            "C15.5",
            (
                "Barrett-Adenokarzinom des distalen Ösophagus",
                "Adenocarcinoma of the lower oesophagus arising in Barrett's",
            ),
            (("Adenokarzinom", "adenocarcinoma"),),
            (("G2", "G2"),),
            (("cT3 cN1 cM0", "III"),),
            plans=(0,),
        ),
        _Dx(
            "C15.4",
            (
                "Plattenepithelkarzinom des mittleren Ösophagusdrittels",
                "Squamous carcinoma of the middle third of the oesophagus",
            ),
            (("Plattenepithelkarzinom", "squamous cell carcinoma"),),
            (("G3", "G3"),),
            (("cT3 cN0 cM0", "II"),),
            plans=(1,),
        ),
    ),
    plans=(
        _p(
            _c(
                "Ösophagustumor + periösophageale LK (CROSS)",
                "oesophageal tumour and peri-oesophageal nodes, CROSS",
                "vmat",
                1.8,
                23,
                conc=(
                    "Carboplatin AUC 2 / Paclitaxel 50 mg/m² wöchentlich",
                    "weekly carboplatin AUC 2 and paclitaxel 50 mg/m²",
                ),
            )
        ),
        _p(
            _c(
                "Tumorregion Ösophagus + 3 cm kraniokaudal",
                "oesophageal tumour with 3 cm craniocaudal margin",
                "vmat",
                1.8,
                28,
                conc=("FOLFOX", "FOLFOX"),
            )
        ),
    ),
    history=(
        ("other", ("ÖGD mit Biopsie, Endosonographie uT3 uN1", "OGD and biopsy; EUS uT3 uN1")),
        ("imaging", ("CT Thorax/Abdomen, PET-CT", "CT chest/abdomen and PET-CT")),
        (
            "other",
            (
                "Ernährungsberatung, −6 kg in 3 Monaten",
                "dietitian review; 6 kg lost in three months",
            ),
        ),
    ),
    toxicities=(
        ("Ösophagitis", "Esophagitis"),
        ("Dysphagie", "Dysphagia"),
        ("Übelkeit", "Nausea"),
        ("Neutropenie", "Neutrophil count decreased"),
    ),
    late_effects=(("Ösophagusstenose", "Esophageal stenosis"),),
    findings=(
        ("Dysphagie für feste Kost, BMI 22.", "Dysphagia to solids, BMI 22."),
        (
            "ÖGD: narbige, bougierbare Stenose; kein Rezidiv.",
            "Endoscopy: benign stricture, dilatable; no recurrence.",
        ),
    ),
    advice=(
        (
            "Viszeralchirurgie zur Ösophagektomie 6 Wochen nach RCT",
            "Surgical review for oesophagectomy six weeks after chemoradiation",
        ),
        ("PPI und hochkalorische Trinknahrung", "PPI and high-energy oral supplements"),
    ),
    follow_up=("ÖGD + CT", "endoscopy and CT"),
)

_BENIGN_BRAIN = _Site(
    diagnoses=(
        _Dx(
            "D32.0",
            ("Meningeom am {place}", "Meningioma of the {place}"),
            (("meningothelial", "meningothelial"),),
            (("WHO-Grad 1", "CNS WHO grade 1"),),
            places=(
                ("Keilbeinflügel {side}", "{side} sphenoid wing"),
                ("Tentorium {side}", "{side} tentorium"),
            ),
            plans=(0, 1),
            lateral=True,
        ),
        _Dx(
            "D32.0",
            (
                "Atypisches Meningeom der Falx, Z. n. Teilresektion",
                "Atypical falcine meningioma after subtotal resection",
            ),
            (("atypisches Meningeom", "atypical meningioma"),),
            (("WHO-Grad 2", "CNS WHO grade 2"),),
            plans=(2,),
            history=(
                ("surgery", ("Teilresektion (Simpson IV)", "subtotal resection, Simpson grade IV")),
            ),
        ),
        _Dx(
            "D33.3",
            (
                "Vestibularisschwannom {side} (Koos II)",
                "{side} vestibular schwannoma, Koos grade II",
            ),
            plans=(3,),
            history=(
                ("imaging", ("MRT: Wachstum 2 mm/Jahr", "MRI: growth of 2 mm per year")),
                (
                    "other",
                    (
                        "Audiometrie: Hörminderung 30 dB {side}",
                        "audiogram: 30 dB loss on the {side}",
                    ),
                ),
            ),
            lateral=True,
        ),
    ),
    plans=(
        _p(
            _c(
                "Meningeom {place} (GTV + 2 mm)",
                "{place} meningioma, GTV + 2 mm",
                "protons",
                1.8,
                30,
            )
        ),
        _p(
            _c(
                "Meningeom {place}, hypofraktioniert",
                "{place} meningioma, hypofractionated",
                "fsrt",
                5.0,
                5,
            )
        ),
        _p(
            _c(
                "Resttumor Falx + Resektionshöhle",
                "falcine residue and surgical bed",
                "imrt",
                1.8,
                33,
            )
        ),
        _p(
            _c(
                "Schwannom Kleinhirnbrückenwinkel {side}",
                "{side} cerebellopontine angle schwannoma",
                "srs",
                12.0,
                1,
            )
        ),
    ),
    history=(("imaging", ("MRT: Größenprogredienz", "MRI: slow growth")),),
    toxicities=(
        ("Kopfschmerz", "Headache"),
        ("Fatigue", "Fatigue"),
        ("Alopezie (fokal)", "Alopecia"),
        ("Tinnitus", "Tinnitus"),
    ),
    late_effects=(("Hörminderung", "Hearing impaired"), ("Fatigue", "Fatigue")),
    findings=(
        (
            "Neurologisch unauffällig, Visus bds. 1,0.",
            "Neurologically intact; visual acuity 6/6 both eyes.",
        ),
        ("MRT: Befund größenkonstant.", "MRI: lesion unchanged in size."),
    ),
    advice=(
        ("MRT-Kontrolle jährlich", "Annual MRI"),
        ("Augenärztliche Gesichtsfeldkontrolle", "Visual field check with ophthalmology"),
    ),
    follow_up=("MRT Schädel", "MRI head"),
)

_SKIN_PLACES = (
    ("Nasenflügel {side}", "{side} nasal ala"),
    ("Wange {side}", "{side} cheek"),
    ("Schläfe {side}", "{side} temple"),
)
_SKIN = _Site(
    diagnoses=(
        _Dx(
            "C44.3",
            ("Basalzellkarzinom {place}", "Basal cell carcinoma of the {place}"),
            (("noduläres Basalzellkarzinom", "nodular basal cell carcinoma"),),
            places=_SKIN_PLACES,
            plans=(0, 1),
            lateral=True,
        ),
        _Dx(
            "C44.3",
            (
                "Kutanes Plattenepithelkarzinom {place}, R1",
                "Cutaneous squamous cell carcinoma, {place}, incompletely excised",
            ),
            (("Plattenepithelkarzinom der Haut", "cutaneous SCC"),),
            (("G2", "G2"),),
            (("pT2 cN0 cM0 R1", "II"),),
            _SKIN_PLACES,
            (2,),
            (
                (
                    "surgery",
                    ("Exzision, R1 am lateralen Rand", "excision with involved lateral margin"),
                ),
            ),
            lateral=True,
        ),
    ),
    plans=(
        _p(
            _c(
                "Läsion {place} + 10 mm Saum",
                "{place} lesion with 10 mm margin",
                "electrons",
                3.0,
                13,
            )
        ),
        _p(_c("Basaliom {place}", "BCC {place}", "orthovolt", 4.0, 10)),
        _p(_c("Narbenregion {place}", "{place} scar bed", "electrons", 2.5, 20)),
    ),
    history=(("other", ("Stanzbiopsie (Dermatologie)", "punch biopsy by dermatology")),),
    toxicities=(
        ("Radiodermatitis", "Dermatitis radiation"),
        ("Juckreiz", "Pruritus"),
        ("Krustenbildung", "Skin ulceration"),
    ),
    late_effects=(
        ("Hypopigmentierung", "Skin hypopigmentation"),
        ("Teleangiektasien", "Telangiectasia"),
    ),
    findings=(
        ("Erhabene, perlmuttartige Läsion von 11 mm.", "Pearly raised lesion, 11 mm."),
        (
            "Narbe reizlos, kein Rezidiv, leichte Hypopigmentierung.",
            "Scar calm, no recurrence, mild hypopigmentation.",
        ),
    ),
    advice=(
        ("Konsequenter UV-Schutz (LSF 50)", "Strict sun protection (SPF 50)"),
        ("Hautkrebs-Screening jährlich", "Yearly skin check with dermatology"),
    ),
    follow_up=("Dermatologische Kontrolle", "dermatology review"),
)

_LYMPHOMA = _Site(
    diagnoses=(
        _Dx(
            "C83.3",
            (
                "DLBCL zervikal {side}, PET-positiver Rest nach 6x R-CHOP",
                "DLBCL of the {side} neck, PET-positive residue after six R-CHOP",
            ),
            (("DLBCL, GCB-Typ", "DLBCL, germinal-centre type"),),
            plans=(0,),
            history=(
                ("systemic", ("6 Zyklen R-CHOP-21", "six cycles of R-CHOP-21")),
                ("imaging", ("Abschluss-PET: Deauville 4", "end-of-treatment PET: Deauville 4")),
            ),
            lateral=True,
        ),
        _Dx(
            "C82.1",
            (
                "Follikuläres Lymphom Grad 2, inguinal {side}",
                "Grade 2 follicular lymphoma, {side} groin",
            ),
            (("follikuläres Lymphom", "follicular lymphoma"),),
            (("Grad 2", "grade 2"),),
            plans=(1,),
            history=(("imaging", ("CT: Konglomerat 5 cm", "CT: 5 cm nodal mass")),),
            lateral=True,
        ),
        _Dx(
            "C81.1",
            (
                "Klassisches Hodgkin-Lymphom, Stadium IA, mediastinal",
                "Early-stage (IA) classical Hodgkin lymphoma of the mediastinum",
            ),
            (("noduläre Sklerose", "nodular sclerosis"),),
            plans=(2,),
            history=(
                ("chemotherapy", ("2 x ABVD", "two cycles of ABVD")),
                ("imaging", ("Interim-PET: Deauville 2", "interim PET: Deauville 2")),
            ),
        ),
    ),
    plans=(
        _p(
            _c(
                "ISRT zervikal {side} (Level II–IV)",
                "ISRT to the {side} neck, levels II–IV",
                "imrt",
                2.0,
                15,
            )
        ),
        _p(_c("LK-Konglomerat inguinal {side}", "{side} inguinal nodal mass", "ap_pa", 2.0, 2)),
        _p(
            _c(
                "ISRT Mediastinum (prä-chemo Ausdehnung)",
                "mediastinal ISRT, pre-chemotherapy extent",
                "vmat",
                2.0,
                10,
            )
        ),
    ),
    history=(),
    toxicities=(
        ("Mukositis", "Mucositis oral"),
        ("Fatigue", "Fatigue"),
        ("Ösophagitis", "Esophagitis"),
        ("Erythem", "Erythema"),
    ),
    late_effects=(("Hypothyreose", "Hypothyroidism"),),
    findings=(
        (
            "Keine B-Symptome, LK klinisch nicht mehr tastbar.",
            "No B symptoms; nodes no longer palpable.",
        ),
        (
            "PET/CT: komplette metabolische Remission (Deauville 2).",
            "PET-CT: complete metabolic response (Deauville 2).",
        ),
    ),
    advice=(
        ("Hämatologische Nachsorge wie geplant", "Haematology follow-up as planned"),
        (
            "Impfstatus prüfen (Pneumokokken, Influenza)",
            "Check vaccinations (pneumococcal, influenza)",
        ),
    ),
    follow_up=("Hämatologie + Sonographie", "haematology clinic and ultrasound"),
)

_BENIGN_JOINT = _Site(
    diagnoses=(
        _Dx(
            "M77.3",
            ("Fersensporn {side} mit Plantarfasziitis", "{side} heel spur with plantar fasciitis"),
            plans=(0, 2),
            history=(
                (
                    "other",
                    (
                        "Einlagen, NSAR, Stoßwelle ohne anhaltenden Erfolg",
                        "insoles, NSAIDs and shockwave therapy without lasting benefit",
                    ),
                ),
                ("imaging", ("Röntgen: plantarer Fersensporn", "X-ray: plantar calcaneal spur")),
            ),
            lateral=True,
        ),
        _Dx(
            "M17.1",
            (
                "Gonarthrose {side}, konservativ ausbehandelt",
                "{side} knee osteoarthritis, refractory to conservative treatment",
            ),
            plans=(1,),
            history=(
                (
                    "imaging",
                    ("Röntgen: Kellgren-Lawrence Grad 3", "X-ray: Kellgren–Lawrence grade 3"),
                ),
                (
                    "other",
                    (
                        "Hyaluronsäure-Injektionen, Physiotherapie",
                        "hyaluronic acid injections, physiotherapy",
                    ),
                ),
            ),
            lateral=True,
        ),
    ),
    plans=(
        _p(
            _c(
                "Kalkaneus {side} (plantarer Sporn)",
                "{side} calcaneus, plantar spur",
                "orthovolt",
                0.5,
                6,
            )
        ),
        _p(_c("Kniegelenk {side}", "{side} knee joint", "ap_pa", 0.5, 6)),
        _p(_c("Ferse {s}", "{s} heel", "3d", 1.0, 6)),
    ),
    history=(),
    toxicities=(("Erythem", "Erythema"), ("Schmerzverstärkung", "Pain")),
    late_effects=(("Hauttrockenheit", "Dry skin"),),
    findings=(
        (
            "Anlaufschmerz, VAS 7/10, Gehstrecke eingeschränkt.",
            "Start-up pain 7/10, reduced walking distance.",
        ),
        (
            "Schmerz VAS 2/10, Gehstrecke deutlich besser.",
            "Pain 2/10, walking distance much improved.",
        ),
    ),
    advice=(
        (
            "Bei unzureichender Wirkung 2. Serie nach 12 Wochen möglich",
            "A second series is possible after 12 weeks if needed",
        ),
        ("Dehnübungen fortführen", "Keep up the stretching exercises"),
    ),
    follow_up=("Schmerzevaluation (VAS) nach 3 Monaten", "pain score review at 3 months"),
)

_SITES = (
    _BREAST, _BREAST, _PROSTATE, _PROSTATE, _RECTUM, _LUNG, _GLIOMA, _HEAD_NECK, _ANAL,
    _CERVIX, _BONE, _BONE, _BRAIN, _OESOPHAGUS, _BENIGN_BRAIN, _SKIN, _LYMPHOMA, _BENIGN_JOINT,
)  # fmt: skip

_COMORBIDITIES = (
    ("I10", ("Arterielle Hypertonie", "Arterial hypertension")),
    (
        "E11.9",
        ("Diabetes mellitus Typ 2, nicht insulinpflichtig", "Type 2 diabetes, not on insulin"),
    ),
    ("J44.9", ("COPD GOLD 2", "COPD, GOLD 2")),
    ("I48.9", ("Vorhofflimmern unter Apixaban", "Atrial fibrillation on apixaban")),
    ("N18.3", ("Chronische Niereninsuffizienz Stadium 3", "Chronic kidney disease, stage 3")),
)

_GIVEN = {
    "female": ("Łucja", "Małgorzata", "Zoë", "Ingrid", "Aoife", "Thị Lan", "Fatma", "Sigrún",
               "Anna-Lena", "Chiara", "Renée", "Dörte", "Priya", "Mette", "Gülşen", "Ana Sofía"),
    "male": ("Łukasz", "Søren", "Jürgen", "Hans-Peter", "Ömer", "Seán", "José", "François",
             "Dmitrij", "Tobiáš", "Văn Minh", "Björn", "Kwame", "Jean-Luc", "Nikolaos", "Emre"),
    "other": ("Kim", "Alex", "Robin", "Sasha", "Noa", "Jo"),
}  # fmt: skip
_FAMILY = (
    "Ørsted", "Çelik", "O'Brien", "Nguyễn", "Müller-Lüdenscheidt", "van der Meer", "de Vries",
    "von Hohenstein", "Wójcik", "Đorđević", "Ó Súilleabháin", "Hämäläinen", "Weiß", "Åberg",
    "Yılmaz", "Fernández-Ruiz", "Papadopoulos", "Schmidt", "Kowalczyk", "Le Gall", "MacLeod",
    "Brandt", "Al-Hashimi", "dos Santos", "Krüger", "Øvergaard", "Jovanović", "Huber",
)  # fmt: skip
_TITLES = {
    "de": ("Dr. med.", "Prof. Dr. med.", "PD Dr. med.", "Dr.", "Dipl.-Med."),
    "en": ("Dr", "Prof", "Dr.", "Professor"),
}
_SALUTATIONS = {"de": {"female": "Frau", "male": "Herr"}, "en": {"female": "Ms", "male": "Mr"}}
_PRACTICES = {
    "de": (
        ("Gemeinschaftspraxis am Rathausplatz", "Lindenallee 4", "28203", "Bremen"),
        (
            "Klinik für Urologie, Kreiskrankenhaus Nordheide",
            "Am Krähenberg 17a",
            "79098",
            "Freiburg im Breisgau",
        ),
        ("MVZ Onkologie Rheinufer", "Hauptstraße 112", "41061", "Mönchengladbach"),
        ("Hausarztpraxis Südstadt", "Brüderstraße 9", "02826", "Görlitz"),
    ),
    "en": (
        ("Harbourside Medical Practice", "12 Quay Street", "BT9 7AB", "Belfast"),
        ("Department of Urology, St Columba's Hospital", "Newcastle Road", "H91 YR71", "Galway"),
        ("Riverside Oncology Centre", "3 Wellington Place", "LS1 4AP", "Leeds"),
        ("Ashgrove Surgery", "48 Morningside Road", "EH10 4BF", "Edinburgh"),
    ),
}
_AUTHOR_ROLES: dict[str, dict[str, tuple[str, ...]]] = {
    "de": {"female": ("Oberärztin", "Assistenzärztin", "Fachärztin für Strahlentherapie"),
           "male": ("Oberarzt", "Assistenzarzt", "Facharzt für Strahlentherapie")},
    "en": {"female": ("Consultant Clinical Oncologist", "Specialty Registrar (ST5)"),
           "male": ("Consultant Radiation Oncologist", "Clinical Fellow")},
}  # fmt: skip
_GENERAL_FINDINGS = {
    "initial_consultation": (
        (
            "Aufklärung über Ablauf, Akut- und Spätfolgen erfolgt; Einwilligung unterschrieben.",
            "Consent discussion held (acute and late effects); consent form signed.",
        ),
        (
            "Wünscht Bedenkzeit bis zum Planungs-CT.",
            "Would like time to think until the planning CT.",
        ),
        (
            "Wohnt 40 km entfernt, Fahrdienst organisiert.",
            "Lives 40 km away; hospital transport arranged.",
        ),
    ),
    "final_report": (
        (
            "RT ohne Unterbrechung durchgeführt; Gewicht {kg} kg (Beginn {kg0} kg).",
            "Completed without interruption; weight {kg} kg (start {kg0} kg).",
        ),
        (
            "Abschlussuntersuchung: AZ gut, afebril, keine Infektzeichen.",
            "End-of-treatment review: in good general condition, afebrile.",
        ),
        (
            "Die Bestrahlung wurde insgesamt gut vertragen.",
            "Overall the treatment was well tolerated.",
        ),
    ),
    "follow_up": (
        (
            "Vorstellung {months} Monate nach Ende der Bestrahlung.",
            "Seen {months} months after the end of radiotherapy.",
        ),
        (
            "Nachsorge Nr. {visit_no}; subjektiv beschwerdefrei.",
            "Follow-up visit no. {visit_no}; no complaints.",
        ),
    ),
}
_GENERAL_ADVICE = (
    (
        "Rückfragen gern über unser Sekretariat (Durchwahl -2230)",
        "Questions: our secretary on extension 2230",
    ),
    (
        "Vorstellung in der Tumorkonferenz nach Abschluss",
        "Discussion at the tumour board after completion",
    ),
    ("Trinkmenge ca. 2 l/Tag", "Drink about two litres a day"),
    ("BB und Kreatinin in 2 Wochen beim Hausarzt", "FBC and creatinine with the GP in two weeks"),
)
_BASELINE = (("Fatigue", "Fatigue"), ("Appetitlosigkeit", "Anorexia"))
_FIRST_VISIT = (
    ("Erste Nachsorge in unserer Ambulanz", "first post-treatment review in our clinic"),
    (
        "Kontrolltermin Strahlentherapie (6–8 Wochen nach RT)",
        "radiotherapy review 6–8 weeks after treatment",
    ),
)
_PLANNING = (
    ("Planungs-CT", "planning CT"),
    ("CT-Simulation mit Lagerungshilfen", "CT simulation with immobilisation"),
)
_NOTES = (
    ("Dolmetscher (Türkisch) erforderlich", "Needs a Polish interpreter"),
    ("Pat. wünscht Briefkopie", "Copy to patient requested"),
    ("Interpreter needed (Polnisch)", "Dolmetscher: not needed, speaks German and English"),
    ("Pflegegrad 2, lebt mit Ehefrau", "Lives alone; district nurse visits twice a week"),
)


def _say(pair: _T, language: str) -> str:
    return pair[0] if language == "de" else pair[1]


def _switch(rng: random.Random, text: str, language: str, chance: float) -> str:
    """Now and then swap one term for the other language's word, as busy colleagues do."""
    if rng.random() >= chance:
        return text
    usable = [p for p in _SWITCH[language] if re.search(rf"\b{re.escape(p[0])}\b", text)]
    if not usable:
        return text
    old, new = rng.choice(usable)
    return re.sub(rf"\b{re.escape(old)}\b", new, text)


def _weekday(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def _after_weekdays(day: dt.date, count: int) -> dt.date:
    """The weekday ``count`` weekdays after ``day`` (five fractions a week)."""
    while count:
        day += dt.timedelta(days=1)
        count -= day.weekday() < 5
    return day


def _day_between(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=rng.randint(0, max(0, (last - first).days)))


def _number(value: float, language: str) -> str:
    text = f"{value:.1f}"
    return text.replace(".", ",") if language == "de" else text


def _fill(rng: random.Random, language: str, dx: _Dx) -> dict[str, str]:
    """The values for a case's placeholders: side, place and numbers."""
    side = rng.choice(("left", "right"))
    words = {"de": {"left": ("links", "li."), "right": ("rechts", "re.")},
             "en": {"left": ("left", "L"), "right": ("right", "R")}}[language][side]  # fmt: skip
    fill = {"side": words[0], "s": words[1], "laterality": side}
    fill["place"] = _say(rng.choice(dx.places), language).format_map(fill)
    kg0 = rng.randint(48, 108)
    fill.update(
        mm=str(rng.randint(5, 28)),
        psa=_number(rng.uniform(3.5, 18.0), language),
        psa_low=_number(rng.uniform(0.05, 0.9), language),
        kg0=str(kg0),
        kg=str(kg0 - rng.randint(0, 5)),
    )
    return fill


def _first_start(rng: random.Random, letter_type: str, reirradiation: bool) -> dt.date:
    """The first course's first day, so that every date of the case falls in 2018–2027."""
    first = dt.date(2021, 1, 1) if reirradiation else dt.date(2018, 6, 1)
    last = {
        "initial_consultation": dt.date(2027, 9, 30),
        "final_report": dt.date(2027, 3, 31),
        "follow_up": dt.date(2025, 6, 30),
    }[letter_type]
    return _weekday(_day_between(rng, first, last))


def _courses(
    rng: random.Random, language: str, plan: _Plan, start: dt.date, fill: dict[str, str]
) -> list[dict[str, Any]]:
    """The radiotherapy block: sequential courses follow on, simultaneous ones start together."""
    courses: list[dict[str, Any]] = []
    for course in plan.courses:
        if courses and not course.simultaneous:
            start = _weekday(_end(courses[-1]) + dt.timedelta(days=1 + rng.choice((0, 0, 2, 7))))
        elif courses:
            start = dt.date.fromisoformat(courses[-1]["start_date"])
        entry: dict[str, Any] = {
            "target": _switch(rng, _say(course.target, language).format_map(fill), language, 0.2),
            "technique": rng.choice(_TECHNIQUES[course.technique][language == "en"]),
            "dose_per_fraction_gy": course.dose_per_fraction,
            "fractions": course.fractions,
            "total_dose_gy": round(course.dose_per_fraction * course.fractions, 2),
            "start_date": start.isoformat(),
            "end_date": _after_weekdays(start, course.fractions - 1).isoformat(),
        }
        if course.concurrent:
            entry["concurrent_therapy"] = _say(course.concurrent, language)
        courses.append(entry)
    return courses


def _end(course: dict[str, Any]) -> dt.date:
    return dt.date.fromisoformat(course["end_date"])


@dataclass(frozen=True)
class _Timeline:
    """The case's key dates, fixed before any text is written."""

    diagnosis: dt.date
    history_until: dt.date  # history entries fall between diagnosis and this day
    visit: dt.date  # consultation, last treatment day or follow-up visit
    prior: dt.date | None  # the earlier radiotherapy of a re-irradiation


def _timeline(
    rng: random.Random, letter_type: str, plan: _Plan, start: dt.date, last_end: dt.date
) -> tuple[_Timeline, int]:
    """Dates around the courses, and the months from the end of treatment to the visit."""
    months = 0
    if letter_type == "initial_consultation":
        visit = _weekday(start - dt.timedelta(days=rng.randint(7, 21)))
        diagnosis = visit - dt.timedelta(days=rng.randint(10, 90))
    else:
        diagnosis = start - dt.timedelta(days=rng.randint(21, 150))
        visit = last_end
        if letter_type == "follow_up":
            months = rng.randint(2, 18)
            visit = _weekday(last_end + dt.timedelta(days=round(months * 30.44)))
    prior = None
    if plan.prior:
        prior = start - dt.timedelta(days=rng.randint(9 * 30, 30 * 30))
        diagnosis = prior - dt.timedelta(days=rng.randint(20, 120))
    until = prior or (visit if letter_type == "initial_consultation" else start)
    return _Timeline(diagnosis, until - dt.timedelta(days=3), visit, prior), months


def _main_diagnosis(
    rng: random.Random, language: str, dx: _Dx, fill: dict[str, str], when: dt.date
) -> dict[str, Any]:
    text = _say(dx.text, language).format_map(fill)
    entry: dict[str, Any] = {"text": text[:1].upper() + text[1:], "icd10": dx.icd}
    if rng.random() < 0.85:
        entry["date"] = when.isoformat()
    if dx.histology and rng.random() < 0.85:
        entry["histology"] = _switch(rng, _say(rng.choice(dx.histology), language), language, 0.1)
    if dx.grading and rng.random() < 0.8:
        entry["grading"] = _say(rng.choice(dx.grading), language)
    if dx.staging and rng.random() < 0.85:
        tnm, stage = rng.choice(dx.staging)
        entry["tnm"] = tnm
        if stage and rng.random() < 0.75:
            entry["uicc_stage"] = stage
    if dx.lateral and rng.random() < 0.9:
        entry["laterality"] = fill["laterality"]
    elif not dx.lateral and rng.random() < 0.6:
        entry["laterality"] = _side_named(text)
    return entry


def _side_named(text: str) -> str:
    """The side a text names (a brain metastasis "präzentral links"), else ``none``."""
    for side, words in (("left", "links|left"), ("right", "rechts|right")):
        if re.search(rf"\b({words})\b", text):
            return side
    return "none"


def _diagnoses(
    rng: random.Random, language: str, site: _Site, dx: _Dx, sex: str, fill: dict[str, str],
    when: dt.date,
) -> list[dict[str, Any]]:  # fmt: skip
    """The treated diagnosis, for metastases the primary tumour, now and then a comorbidity."""
    diagnoses = [_main_diagnosis(rng, language, dx, fill, when)]
    primaries = [p for p in site.primaries if p[2] in (None, sex)]
    if primaries:
        icd, text, _ = rng.choice(primaries)
        primary = {"text": _say(text, language), "icd10": icd}
        diagnoses.insert(rng.randint(0, 1), primary)
    if rng.random() < 0.25:
        icd, text = rng.choice(_COMORBIDITIES)
        diagnoses.append({"text": _say(text, language), "icd10": icd, "laterality": "none"})
    return diagnoses


def _history(
    rng: random.Random, language: str, site: _Site, dx: _Dx, plan: _Plan, fill: dict[str, str],
    timeline: _Timeline,
) -> list[dict[str, Any]]:  # fmt: skip
    """Earlier steps in order; a re-irradiation always names the earlier radiotherapy."""
    steps = list(dx.history or site.history)
    if steps and rng.random() < 0.15 and not plan.prior:
        return []
    chosen = sorted(rng.sample(range(len(steps)), rng.randint(1, len(steps)))) if steps else []
    span = max(0, (timeline.history_until - timeline.diagnosis).days)
    days = sorted(rng.randint(0, span) for _ in chosen)
    history: list[dict[str, Any]] = []
    for index, offset in zip(chosen, days, strict=True):
        kind, text = steps[index]
        entry: dict[str, Any] = {"kind": kind}
        if rng.random() < 0.9:
            entry["date"] = (timeline.diagnosis + dt.timedelta(days=offset)).isoformat()
        entry["description"] = _switch(rng, _say(text, language).format_map(fill), language, 0.1)
        history.append(entry)
    if plan.prior and timeline.prior:
        earlier = _say(plan.prior, language)
        history.append(
            {"date": timeline.prior.isoformat(), "kind": "radiotherapy", "description": earlier}
        )
    return history


def _toxicities(
    rng: random.Random, language: str, site: _Site, letter_type: str
) -> list[dict[str, Any]] | None:
    """Acute effects at the end, late effects at follow-up, a baseline before treatment."""
    pool: tuple[_T, ...]
    grades: tuple[int, ...]
    weights: tuple[int, ...]
    if letter_type == "final_report":
        present, pool, grades, weights = 0.9, site.toxicities, (0, 1, 2, 3), (10, 50, 30, 10)
    elif letter_type == "follow_up":
        present, pool, grades, weights = 0.65, site.late_effects, (0, 1, 2, 3), (30, 45, 20, 5)
    else:
        present, pool, grades, weights = 0.35, _BASELINE, (0, 1, 2), (40, 45, 15)
    if rng.random() >= present:
        return None
    terms = rng.sample(pool, rng.randint(1, min(4, len(pool))))
    other = "en" if language == "de" else "de"
    # German letters often keep the English CTCAE term; English ones rarely borrow German.
    borrow = 0.3 if language == "de" else 0.1
    return [
        {
            "term": _say(term, other if rng.random() < borrow else language),
            "ctcae_grade": rng.choices(grades, weights)[0],
        }
        for term in terms
    ]


def _performance_status(rng: random.Random) -> dict[str, Any] | None:
    if rng.random() < 0.2:
        return None
    if rng.random() < 0.55:
        return {"scale": "ECOG", "value": rng.choices((0, 1, 2), (5, 4, 1))[0]}
    return {"scale": "KPS", "value": rng.choices((100, 90, 80, 70, 60), (2, 4, 3, 2, 1))[0]}


def _follow_up(
    rng: random.Random, language: str, site: _Site, letter_type: str, timeline: _Timeline,
    start: dt.date,
) -> list[dict[str, Any]] | None:  # fmt: skip
    """Next dates: the planning CT before treatment, later visits after it."""
    if rng.random() < 0.15:
        return None
    visit = timeline.visit
    if letter_type == "initial_consultation":
        gap = max(1, (start - visit).days - 1)
        day = _weekday(visit + dt.timedelta(days=rng.randint(1, gap)))
        return [
            {
                "date": min(day, start).isoformat(),
                "description": _say(rng.choice(_PLANNING), language),
            }
        ]
    if letter_type == "follow_up":
        day = _weekday(visit + dt.timedelta(days=rng.choice((91, 182))))
        return [{"date": day.isoformat(), "description": _say(site.follow_up, language)}]
    first = _weekday(visit + dt.timedelta(days=rng.randint(42, 56)))
    visits = [{"date": first.isoformat(), "description": _say(rng.choice(_FIRST_VISIT), language)}]
    if rng.random() < 0.6:
        later = _weekday(first + dt.timedelta(days=91))
        visits.append({"date": later.isoformat(), "description": _say(site.follow_up, language)})
    if rng.random() < 0.15:
        visits.append(
            {"description": _say(("bei Beschwerden früher", "sooner if needed"), language)}
        )
    return visits


def _findings(
    rng: random.Random, language: str, site: _Site, letter_type: str, fill: dict[str, str]
) -> str | None:
    """Free-text findings, written as prose, a list with semicolons or separate lines."""
    if rng.random() < 0.08:
        return None
    general = _GENERAL_FINDINGS[letter_type]
    if letter_type == "initial_consultation":
        parts = [site.findings[0], *rng.sample(general, rng.randint(0, 2))]
    elif letter_type == "follow_up":
        parts = [rng.choice(general), site.findings[1]]
    else:
        parts = rng.sample(general, rng.randint(1, 2))
    if rng.random() < 0.3:
        rng.shuffle(parts)
    texts = [_say(part, language).format_map(fill) for part in parts]
    text = rng.choice((" ", "\n", " – ")).join(texts)
    return _switch(rng, text, language, 0.25)


def _recommendations(
    rng: random.Random, language: str, site: _Site, letter_type: str, fill: dict[str, str]
) -> list[str] | None:
    if rng.random() < 0.15:
        return None
    advice = site.advice[1:] if letter_type == "follow_up" else site.advice
    general = _GENERAL_ADVICE[:1] if letter_type == "follow_up" else _GENERAL_ADVICE
    chosen = rng.sample(advice, rng.randint(1, len(advice)))
    chosen += rng.sample(general, rng.randint(0, min(2, len(general))))
    return [_switch(rng, _say(a, language).format_map(fill), language, 0.15) for a in chosen]


def _recipient(rng: random.Random, language: str) -> dict[str, Any] | None:
    """A referring physician: with or without title, salutation, first name and address."""
    if rng.random() < 0.15:
        return None
    sex = rng.choices(("female", "male", "other"), (45, 45, 10))[0]
    recipient: dict[str, Any] = {}
    if sex in _SALUTATIONS[language] and rng.random() < 0.8:
        recipient["salutation"] = _SALUTATIONS[language][sex]
    if rng.random() < 0.7:
        recipient["title"] = rng.choice(_TITLES[language])
    if rng.random() < 0.6:
        recipient["given_name"] = rng.choice(_GIVEN[sex])
    recipient["family_name"] = rng.choice(_FAMILY)
    if rng.random() < 0.75:
        institution, street, postal_code, city = rng.choice(_PRACTICES[language])
        recipient["institution"] = institution
        if rng.random() < 0.8:
            recipient.update(street=street, postal_code=postal_code, city=city)
    return recipient


def _author(rng: random.Random, language: str) -> dict[str, str] | None:
    if rng.random() < 0.3:
        return None
    sex = rng.choice(("female", "male"))
    title = rng.choice(("Dr. med. ", "Prof. Dr. ", "") if language == "de" else ("Dr ", ""))
    author = {"name": f"{title}{rng.choice(_GIVEN[sex])} {rng.choice(_FAMILY)}"}
    if rng.random() < 0.8:
        author["role"] = rng.choice(_AUTHOR_ROLES[language][sex])
    return author


def _patient(rng: random.Random, seed: int, index: int, sex: str, start: dt.date) -> dict[str, Any]:
    age_days = rng.randint(28 * 365, 90 * 365)
    return {
        "patient_id": f"IND-PAT-{seed}-{index:05d}",
        "given_name": rng.choice(_GIVEN.get(sex, _GIVEN["other"])),
        "family_name": rng.choice(_FAMILY),
        "sex": sex,
        "birth_date": (start - dt.timedelta(days=age_days)).isoformat(),
    }


def independent_case(seed: int, index: int) -> dict[str, Any]:
    """Case ``index`` of the independent series ``seed``; the same arguments, the same case."""
    rng = random.Random(f"letterdesk-independent-case:{seed}:{index}")
    language = rng.choice(("de", "en"))
    letter_type = rng.choices(("final_report", "initial_consultation", "follow_up"), (5, 3, 3))[0]
    site = rng.choice(_SITES)
    dx = rng.choice(site.diagnoses)
    plan = site.plans[rng.choice(dx.plans)] if dx.plans else rng.choice(site.plans)
    sex = site.sex or rng.choices(("female", "male", "diverse", "unknown"), (47, 47, 3, 3))[0]
    fill = _fill(rng, language, dx)
    start = _first_start(rng, letter_type, plan.prior is not None)
    courses = _courses(rng, language, plan, start, fill)
    timeline, months = _timeline(rng, letter_type, plan, start, max(map(_end, courses)))
    fill.update(months=str(months), visit_no=str(1 + months // 3))
    case: dict[str, Any] = {
        "schema_version": 1,
        "synthetic": True,
        "case_id": f"IND-{seed}-{index:05d}",
        "letter_type": letter_type,
        "language": language,
        "patient": _patient(rng, seed, index, sex, start),
    }
    optional: dict[str, Any] = {
        "recipient": _recipient(rng, language),
        "author": _author(rng, language),
        "diagnoses": _diagnoses(rng, language, site, dx, sex, fill, timeline.diagnosis),
        "history": _history(rng, language, site, dx, plan, fill, timeline) or None,
        "radiotherapy": courses,
        "toxicities": _toxicities(rng, language, site, letter_type),
        "performance_status": _performance_status(rng),
        "findings": _findings(rng, language, site, letter_type, fill),
        "follow_up": _follow_up(rng, language, site, letter_type, timeline, start),
        "recommendations": _recommendations(rng, language, site, letter_type, fill),
        "notes": _say(rng.choice(_NOTES), language) if rng.random() < 0.15 else None,
    }
    case.update((key, value) for key, value in optional.items() if value is not None)
    return case


def independent_cases(n: int = 200, seed: int = 0) -> list[dict[str, Any]]:
    """Cases 0 to ``n - 1`` of the independent series ``seed``, for evaluation only."""
    return [independent_case(seed, index) for index in range(n)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=200, help="number of cases")
    parser.add_argument("--seed", type=int, default=0, help="series; the same seed, the same cases")
    parser.add_argument("--out", type=Path, required=True, help="JSON Lines file to write")
    args = parser.parse_args(argv)
    if args.n < 0:
        parser.error("--n must not be negative")
    cases = independent_cases(args.n, args.seed)
    lines = "".join(json.dumps(case, ensure_ascii=False) + "\n" for case in cases)
    write_text_atomically(args.out, lines, mode=0o644)  # synthetic, so readable by all
    print(f"wrote {len(cases)} independent evaluation cases to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
