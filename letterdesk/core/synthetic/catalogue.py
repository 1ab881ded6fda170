"""The catalogue behind the synthetic-case generator: tumour sites, schedules, terms, names.

Everything here is invented for synthetic data. Texts are bilingual, written
``"deutsch|english"``; ``{side}``, ``{lesion}`` and ``{r}`` are filled in per case.
Internal to :mod:`letterdesk.core.synthetic.generator`.
"""

from __future__ import annotations

from typing import NamedTuple


class _Course(NamedTuple):
    target: str
    dose_per_fraction: float
    fractions: tuple[int, ...]
    techniques: tuple[str, ...]
    concurrent: tuple[str, ...] = ()
    every_other_day: bool = False


class _Step(NamedTuple):
    kind: str
    chance: float
    gap_days: tuple[int, int]
    texts: tuple[str, ...]
    lasts_days: int = 0


class _Primary(NamedTuple):
    icd10: str
    text: str
    histology: str
    lateral: bool
    surgery: str
    systemic: str
    sexes: tuple[int, int, int, int] = (48, 48, 2, 2)


class _Site(NamedTuple):
    diagnoses: tuple[tuple[str, str], ...]
    histologies: tuple[str, ...]
    plans: tuple[tuple[_Course, ...], ...]
    history: tuple[_Step, ...]
    acute: str
    late: str
    advice: tuple[str, ...]
    follow_exam: str
    follow_findings: tuple[str, ...]
    initial_findings: tuple[str, ...]
    referrer: str
    gradings: tuple[str, ...] = ("G2", "G3")
    stages: tuple[tuple[str, str], ...] = ()
    lesions: tuple[str, ...] = ("",)
    primaries: tuple[_Primary, ...] = ()
    lateral: bool = False
    sexes: tuple[int, int, int, int] = (48, 48, 2, 2)
    kps: bool = False
    weight: int = 1


# --- vocabulary -------------------------------------------------------------------------------

_TOX = {
    "derm": "Radiodermatitis|Radiation dermatitis",
    "fatigue": "Fatigue|Fatigue",
    "mucositis": "Orale Mukositis|Oral mucositis",
    "dysphagia": "Dysphagie|Dysphagia",
    "oesophagitis": "Ösophagitis|Oesophagitis",
    "xerostomia": "Xerostomie|Xerostomia",
    "dysgeusia": "Dysgeusie|Dysgeusia",
    "nausea": "Übelkeit|Nausea",
    "diarrhoea": "Diarrhö|Diarrhoea",
    "proctitis": "Proktitis|Proctitis",
    "cystitis": "Nicht-infektiöse Zystitis|Non-infective cystitis",
    "frequency": "Pollakisurie|Urinary frequency",
    "pneumonitis": "Pneumonitis|Pneumonitis",
    "alopecia": "Alopezie|Alopecia",
    "headache": "Kopfschmerzen|Headache",
    "pain": "Schmerzen|Pain",
    "breastpain": "Brustschmerzen|Breast pain",
    "cough": "Husten|Cough",
    "fibrosis": "Hautfibrose|Skin fibrosis",
    "pigment": "Hyperpigmentierung|Skin hyperpigmentation",
    "lymphoedema": "Lymphödem|Lymphoedema",
    "lungfibrosis": "Lungenfibrose|Pulmonary fibrosis",
    "erectile": "Erektile Dysfunktion|Erectile dysfunction",
    "anorexia": "Anorexie|Anorexia",
    "vaginal": "Vaginale Trockenheit|Vaginal dryness",
    "abdpain": "Bauchschmerzen|Abdominal pain",
    "concentration": "Konzentrationsstörung|Concentration impairment",
    "telangiectasia": "Teleangiektasien|Telangiectasia",
}
_TECH = {
    "VMAT": "VMAT, 6 MV Photonen|VMAT, 6 MV photons",
    "IMRT": "IMRT, 6 MV Photonen|IMRT, 6 MV photons",
    "3D": "3D-CRT, 6 MV Photonen|3D-CRT, 6 MV photons",
    "TOMO": "Helikale Tomotherapie|Helical tomotherapy",
    "DIBH": "3D-CRT in Atemanhaltetechnik (DIBH)|3D-CRT in deep-inspiration breath hold (DIBH)",
    "SBRT": "Stereotaktische Radiotherapie (SBRT)|Stereotactic body radiotherapy (SBRT)",
    "SRS": "Stereotaktische Radiochirurgie (SRS)|Stereotactic radiosurgery (SRS)",
}
_DRUG = {
    "cis_w": "Cisplatin 40 mg/m² wöchentlich|weekly cisplatin 40 mg/m²",
    "cis_3w": "Cisplatin 100 mg/m² dreiwöchentlich|three-weekly cisplatin 100 mg/m²",
    "tmz": "Temozolomid 75 mg/m² täglich|daily temozolomide 75 mg/m²",
    "cape": "Capecitabin 825 mg/m² zweimal täglich|capecitabine 825 mg/m² twice daily",
    "mmc": "Mitomycin C und 5-FU|mitomycin C and 5-FU",
    "fu_mmc": "5-FU und Mitomycin C|5-FU and mitomycin C",
    "carbo": "Carboplatin und Paclitaxel wöchentlich|weekly carboplatin and paclitaxel",
    "cisvin": "Cisplatin und Vinorelbin|cisplatin and vinorelbine",
    "adt": "Androgendeprivation mit Leuprorelin|androgen deprivation with leuprorelin",
}
_GENERIC_ADVICE = (
    "Wiedervorstellung bei Beschwerden jederzeit möglich|"
    "Please refer back at any time if symptoms occur",
    "Vorstellung im interdisziplinären Tumorboard|Discussion at the multidisciplinary tumour board",
)
_INITIAL_ADVICE = (
    "Planungs-CT mit individueller Lagerung|Planning CT with individual immobilisation",
    "Beginn der Bestrahlung nach Abschluss der Planung|"
    "Start of radiotherapy once planning is complete",
    "Schriftliche Einwilligung liegt vor|Written informed consent obtained",
)
_CHEMO_ADVICE = (
    "Simultane Chemotherapie in Abstimmung mit der Onkologie|"
    "Concurrent chemotherapy coordinated with medical oncology"
)
_FINAL_FINDINGS = (
    "Bei Abschluss stabiler Allgemeinzustand, Gewicht konstant.|"
    "At completion stable general condition and weight.",
    "Bei Abschluss guter Allgemeinzustand, geringer Gewichtsverlust.|"
    "At completion good general condition, slight weight loss.",
    "Zum Abschluss beschwerdearm, Analgetika nicht erforderlich.|"
    "Few complaints at completion, no analgesics needed.",
)
_NOTES = (
    "Synthetischer Fall für Training und Tests.|Synthetic case for training and tests.",
    "Fahrdienst zur Bestrahlung organisiert.|Patient transport to radiotherapy arranged.",
    "Dolmetscher bei Gesprächen erwünscht.|Interpreter requested for consultations.",
)

# --- tumour sites (several are scenarios of one site, e.g. lung SBRT and chemoradiation) --------


def _c(
    target: str,
    dpf: float,
    fx: tuple[int, ...],
    tech: str,
    drugs: str = "",
    alternate: bool = False,
) -> _Course:
    return _Course(target, dpf, fx, tuple(tech.split()), tuple(drugs.split()), alternate)


def _s(kind: str, chance: float, gap: tuple[int, int], *texts: str, lasts: int = 0) -> _Step:
    return _Step(kind, chance, gap, texts, lasts)


_IMAGING_CT = _s(
    "imaging",
    1,
    (3, 14),
    "CT Thorax und Abdomen ohne Fernmetastasen|CT of chest and abdomen without distant metastases",
)
_PELVIC_MRI = _s("imaging", 1, (3, 14), "MRT Becken|Pelvic MRI")
_BRAIN_MRI = "MRT Schädel mit Kontrastmittel|Contrast-enhanced brain MRI"
_PET = _s("imaging", 1, (3, 14), "FDG-PET/CT zum Staging|Staging FDG PET/CT")
_BREAST_DX = (
    ("C50.4", "Mammakarzinom, oberer äußerer Quadrant|Breast cancer, upper outer quadrant"),
    ("C50.2", "Mammakarzinom, oberer innerer Quadrant|Breast cancer, upper inner quadrant"),
    ("C50.5", "Mammakarzinom, unterer äußerer Quadrant|Breast cancer, lower outer quadrant"),
    ("C50.8", "Mammakarzinom, überlappend|Breast cancer, overlapping sites"),
)
_WHOLE_BREAST = "Restbrust {side}|Breast ({side})"
_BOOST = "Tumorbett {side}, sequenzieller Boost|Tumour bed ({side}), sequential boost"
_BREAST = _Site(
    diagnoses=_BREAST_DX,
    weight=3,
    lateral=True,
    sexes=(97, 1, 1, 1),
    histologies=(
        "Invasives Karzinom NST, HR-positiv, HER2-negativ|"
        "Invasive carcinoma NST, HR-positive, HER2-negative",
        "Invasiv-lobuläres Karzinom, HR-positiv|Invasive lobular carcinoma, HR-positive",
    ),
    gradings=("G1", "G2", "G3"),
    stages=(
        ("pT1b pN0(sn) cM0", "IA"),
        ("pT1c pN0(sn) cM0", "IA"),
        ("pT2 pN0(sn) cM0", "IIA"),
        ("pT2 pN1a cM0", "IIB"),
        ("pT1c pN1a cM0", "IIA"),
    ),
    plans=(
        (_c(_WHOLE_BREAST, 2.67, (15,), "3D VMAT DIBH"),),
        (_c(_WHOLE_BREAST, 2.67, (15,), "3D VMAT DIBH"), _c(_BOOST, 2.0, (5, 6, 7, 8), "3D VMAT")),
        (_c(_WHOLE_BREAST, 5.2, (5,), "3D DIBH"),),
        (_c(_WHOLE_BREAST, 2.0, (25,), "3D VMAT"), _c(_BOOST, 2.0, (8,), "3D VMAT")),
    ),
    history=(
        _s("other", 1, (0, 0), "Stanzbiopsie {side}|Core needle biopsy ({side})"),
        _s(
            "imaging",
            1,
            (3, 14),
            "Mammographie und Sonographie beidseits|Bilateral mammography and ultrasound",
            "MRT der Mammae|Breast MRI",
        ),
        _s(
            "surgery",
            1,
            (14, 35),
            "Brusterhaltende Operation {side} mit Sentinel-"
            "Lymphknotenbiopsie, {r}|Breast-conserving surgery ({side}) with sentinel node "
            "biopsy, {r}",
            "Segmentresektion {side}, {r}|Segmental resection ({side}), {r}",
        ),
        _s(
            "chemotherapy",
            0.3,
            (28, 42),
            "Adjuvante Chemotherapie mit 4 x EC und 12 x "
            "Paclitaxel|Adjuvant chemotherapy with 4 x EC and 12 x paclitaxel",
            lasts=140,
        ),
    ),
    acute="derm fatigue breastpain",
    late="fibrosis pigment lymphoedema telangiectasia",
    advice=(
        "Fortführung der endokrinen Therapie mit Letrozol|"
        "Continue endocrine therapy with letrozole",
        "Endokrine Therapie mit Tamoxifen für 5 Jahre|Endocrine therapy with tamoxifen for 5 years",
        "Rückfettende Hautpflege bis zum Abklingen der Hautreaktion|"
        "Emollient skin care until the skin reaction has settled",
    ),
    follow_exam="Mammographie und Sonographie|mammography and ultrasound",
    follow_findings=(
        "Reizlose Narbe, kein Anhalt für ein Lokalrezidiv.|"
        "Well-healed scar, no evidence of local recurrence.",
    ),
    initial_findings=(
        "Reizlose Narbe {side}, keine tastbaren Lymphknoten.|"
        "Well-healed scar ({side}), no palpable lymph nodes.",
    ),
    referrer="Klinik für Gynäkologie|Department of Gynaecology",
)
_BREAST_NEOADJUVANT = _BREAST._replace(
    weight=1,
    histologies=(
        "Invasives Karzinom NST, triple-negativ|Invasive carcinoma NST, triple-negative",
        "Invasives Karzinom NST, HER2-positiv|Invasive carcinoma NST, HER2-positive",
    ),
    stages=(
        ("ypT1a ypN0 cM0", "IA"),
        ("ypT1b ypN0 cM0", "IA"),
        ("ypT1c ypN1a cM0", "IIA"),
        ("ypT2 ypN0 cM0", "IIA"),
    ),
    plans=(_BREAST.plans[1], _BREAST.plans[3]),
    history=(
        _BREAST.history[0],
        _BREAST.history[1],
        _s(
            "chemotherapy",
            1,
            (10, 21),
            "Neoadjuvante Chemotherapie mit Paclitaxel, "
            "Trastuzumab und Pertuzumab|Neoadjuvant paclitaxel, trastuzumab and pertuzumab",
            "Neoadjuvante Chemotherapie mit Carboplatin, Paclitaxel und Pembrolizumab|"
            "Neoadjuvant carboplatin, paclitaxel and pembrolizumab",
            lasts=150,
        ),
        _BREAST.history[2],
    ),
)
_PROSTATE = _Site(
    diagnoses=(("C61", "Prostatakarzinom|Prostate cancer"),),
    weight=2,
    sexes=(0, 1, 0, 0),
    histologies=("Azinäres Adenokarzinom|Acinar adenocarcinoma",),
    gradings=(
        "Gleason-Score 3+4=7 (ISUP 2)|Gleason score 3+4=7 (ISUP grade group 2)",
        "Gleason-Score 4+3=7 (ISUP 3)|Gleason score 4+3=7 (ISUP grade group 3)",
        "Gleason-Score 4+4=8 (ISUP 4)|Gleason score 4+4=8 (ISUP grade group 4)",
    ),
    stages=(
        ("cT1c cN0 cM0", "IIA"),
        ("cT2a cN0 cM0", "IIB"),
        ("cT2c cN0 cM0", "IIC"),
        ("cT3a cN0 cM0", "IIIB"),
    ),
    plans=tuple(
        (
            _c(
                "Prostata und Samenblasenbasis|Prostate and seminal vesicle base",
                dpf,
                (fx,),
                tech,
                drugs,
                alternate,
            ),
        )
        for dpf, fx, tech, drugs, alternate in (
            (2.0, 39, "VMAT IMRT", "adt", False),
            (3.0, 20, "VMAT IMRT", "", False),
            (2.5, 28, "VMAT TOMO", "", False),
            (7.25, 5, "SBRT", "", True),
        )
    ),
    history=(
        _s("other", 1, (0, 0), "Stanzbiopsie der Prostata|Prostate biopsy"),
        _s(
            "imaging",
            1,
            (7, 21),
            "Multiparametrisches MRT der Prostata|Multiparametric MRI of the prostate",
        ),
        _s(
            "imaging",
            0.6,
            (7, 21),
            "PSMA-PET/CT ohne Anhalt für Metastasen|PSMA PET/CT without evidence of metastases",
        ),
    ),
    acute="frequency proctitis diarrhoea fatigue cystitis",
    late="proctitis frequency erectile",
    advice=(
        "Fortführung der Androgendeprivation für insgesamt 6 Monate|"
        "Continue androgen deprivation for 6 months in total",
        "PSA-Kontrolle beim Urologen|PSA test with the urologist",
        "Ausreichende Trinkmenge und ballaststoffarme Kost|Adequate fluids and low-fibre diet",
    ),
    follow_exam="PSA-Kontrolle|a PSA test",
    follow_findings=(
        "PSA im Verlauf fallend, keine Miktionsbeschwerden.|PSA falling, no urinary complaints.",
    ),
    initial_findings=(
        "Rektal tastbarer Knoten, keine Miktionsbeschwerden.|"
        "Palpable nodule on rectal examination, no urinary complaints.",
    ),
    referrer="Klinik für Urologie|Department of Urology",
)
_HEAD_NECK = _Site(
    diagnoses=(
        ("C01", "Zungengrundkarzinom|Carcinoma of the base of tongue"),
        ("C02.1", "Zungenrandkarzinom|Carcinoma of the border of tongue"),
        ("C09.9", "Tonsillenkarzinom|Tonsillar carcinoma"),
        ("C10.9", "Oropharynxkarzinom|Oropharyngeal carcinoma"),
        ("C13.9", "Hypopharynxkarzinom|Hypopharyngeal carcinoma"),
        ("C32.0", "Glottisches Larynxkarzinom|Glottic laryngeal carcinoma"),
    ),
    histologies=(
        "Plattenepithelkarzinom, p16-positiv|Squamous cell carcinoma, p16-positive",
        "Plattenepithelkarzinom, p16-negativ|Squamous cell carcinoma, p16-negative",
    ),
    stages=(
        ("cT2 cN1 cM0", "III"),
        ("cT3 cN0 cM0", "III"),
        ("cT3 cN2b cM0", "IVA"),
        ("cT4a cN2c cM0", "IVA"),
    ),
    plans=(
        (
            _c(
                "Primärtumorregion und zervikale Lymphabflusswege beidseits|"
                "Primary tumour region and bilateral cervical nodes",
                2.0,
                (35,),
                "IMRT VMAT TOMO",
                "cis_w cis_3w",
            ),
        ),
    ),
    history=(
        _s("other", 1, (0, 0), "Panendoskopie mit Probeexzision|Panendoscopy with biopsy"),
        _s("imaging", 1, (5, 14), "MRT Hals und CT Thorax|MRI of the neck and chest CT"),
        _s(
            "other",
            0.7,
            (3, 10),
            "Zahnsanierung vor Bestrahlung|Dental treatment before radiotherapy",
        ),
        _s("other", 0.5, (3, 10), "Anlage einer PEG-Sonde|Placement of a PEG tube"),
    ),
    acute="mucositis dysphagia xerostomia dysgeusia derm",
    late="xerostomia dysgeusia dysphagia",
    advice=(
        "Konsequente Mundpflege und Fluoridierung der Zähne|"
        "Thorough oral care and dental fluoride prophylaxis",
        "Logopädische Schluckübungen|Swallowing exercises with speech therapy",
        "Kostaufbau, PEG-Sonde vorerst belassen|Return to oral diet, keep the PEG tube for now",
    ),
    follow_exam="HNO-Spiegelbefund und MRT Hals|ENT examination and neck MRI",
    follow_findings=(
        "Schleimhaut reizlos, kein Anhalt für ein Rezidiv.|"
        "Mucosa healed, no evidence of recurrence.",
    ),
    initial_findings=(
        "Exophytischer Tumor, zervikal tastbare Lymphknoten.|"
        "Exophytic tumour, palpable cervical lymph nodes.",
    ),
    referrer="Klinik für Hals-Nasen-Ohren-Heilkunde|Department of Otorhinolaryngology",
)
_RECTUM_TARGET = (
    "Rektum mit mesorektalen und präsakralen Lymphknoten|Rectum with mesorectal and presacral nodes"
)
_RECTUM = _Site(
    diagnoses=(
        ("C20", "Rektumkarzinom, 8 cm ab ano|Rectal cancer, 8 cm from the anal verge"),
        ("C20", "Rektumkarzinom, 5 cm ab ano|Rectal cancer, 5 cm from the anal verge"),
    ),
    histologies=("Adenokarzinom|Adenocarcinoma", "Muzinöses Adenokarzinom|Mucinous adenocarcinoma"),
    stages=(
        ("cT3 cN0 cM0", "IIA"),
        ("cT3 cN1 cM0", "IIIB"),
        ("cT2 cN1 cM0", "IIIA"),
        ("cT4a cN0 cM0", "IIB"),
    ),
    plans=(
        (_c(_RECTUM_TARGET, 1.8, (28,), "VMAT IMRT 3D", "cape"),),
        (_c(_RECTUM_TARGET, 5.0, (5,), "VMAT 3D"),),
    ),
    history=(
        _s("other", 1, (0, 0), "Koloskopie mit Biopsie|Colonoscopy with biopsy"),
        _PELVIC_MRI,
        _IMAGING_CT,
    ),
    acute="diarrhoea proctitis cystitis fatigue derm",
    late="diarrhoea proctitis frequency",
    advice=(
        "Restaging mit MRT Becken|Restaging with pelvic MRI",
        "Totale mesorektale Exzision in der Viszeralchirurgie|"
        "Total mesorectal excision in visceral surgery",
        "Loperamid bei Bedarf|Loperamide as needed",
    ),
    follow_exam="CEA und Rektoskopie|CEA and rectoscopy",
    follow_findings=(
        "CEA normal, kein Anhalt für ein Rezidiv.|CEA normal, no evidence of recurrence.",
    ),
    initial_findings=(
        "Rektal tastbarer Tumor, Sphinkter intakt.|"
        "Tumour palpable on rectal examination, sphincter intact.",
    ),
    referrer="Klinik für Viszeralchirurgie|Department of Visceral Surgery",
)
_GBM_TARGET = "Erweiterte Resektionshöhle {side}|Resection cavity with margin ({side})"
_GLIOBLASTOMA = _Site(
    diagnoses=(
        ("C71.1", "Glioblastom, frontal|Glioblastoma, frontal lobe"),
        ("C71.2", "Glioblastom, temporal|Glioblastoma, temporal lobe"),
        ("C71.3", "Glioblastom, parietal|Glioblastoma, parietal lobe"),
    ),
    histologies=(
        "Glioblastom, IDH-Wildtyp, MGMT-Promotor methyliert|"
        "Glioblastoma, IDH wild-type, MGMT promoter methylated",
        "Glioblastom, IDH-Wildtyp, MGMT-Promotor unmethyliert|"
        "Glioblastoma, IDH wild-type, MGMT promoter unmethylated",
    ),
    gradings=("ZNS-WHO-Grad 4|CNS WHO grade 4",),
    lateral=True,
    kps=True,
    plans=(
        (_c(_GBM_TARGET, 2.0, (30,), "VMAT IMRT", "tmz"),),
        (_c(_GBM_TARGET, 2.67, (15,), "VMAT", "tmz"),),
    ),
    history=(
        _s("imaging", 1, (0, 2), _BRAIN_MRI),
        _s(
            "surgery",
            1,
            (4, 14),
            "Resektion {side}, makroskopisch komplett|Gross total resection ({side})",
            "Subtotale Resektion {side}|Subtotal resection ({side})",
        ),
        _s("imaging", 0.8, (1, 3), "Postoperatives MRT|Postoperative MRI"),
    ),
    acute="alopecia fatigue headache nausea derm",
    late="fatigue alopecia concentration",
    advice=(
        "Adjuvante Temozolomid-Therapie über 6 Zyklen|Adjuvant temozolomide for 6 cycles",
        "Dexamethason schrittweise ausschleichen|Taper dexamethasone gradually",
        "Kein Führen von Kraftfahrzeugen bis zur neurologischen Kontrolle|"
        "No driving until neurological review",
    ),
    follow_exam="MRT Schädel|brain MRI",
    follow_findings=(
        "MRT Schädel ohne Anhalt für ein Rezidiv.|Brain MRI without evidence of recurrence.",
        "Neurologisch stabil, MRT unverändert.|Neurologically stable, MRI unchanged.",
    ),
    initial_findings=(
        "Leichte Wortfindungsstörung, sonst neurologisch unauffällig.|"
        "Mild word-finding difficulty, otherwise neurologically intact.",
    ),
    referrer="Klinik für Neurochirurgie|Department of Neurosurgery",
)
_LUNG = _Site(
    diagnoses=(
        (
            "C34.1",
            "Nichtkleinzelliges Lungenkarzinom, Oberlappen|Non-small cell lung cancer, upper lobe",
        ),
        (
            "C34.3",
            "Nichtkleinzelliges Lungenkarzinom, Unterlappen|Non-small cell lung cancer, lower lobe",
        ),
    ),
    histologies=(
        "Adenokarzinom, PD-L1-positiv|Adenocarcinoma, PD-L1-positive",
        "Plattenepithelkarzinom|Squamous cell carcinoma",
    ),
    stages=(
        ("cT2a cN2 cM0", "IIIA"),
        ("cT3 cN2 cM0", "IIIB"),
        ("cT1c cN3 cM0", "IIIB"),
        ("cT4 cN1 cM0", "IIIA"),
    ),
    lateral=True,
    plans=(
        (
            _c(
                "Primärtumor {side} und mediastinale Lymphknoten|Primary tumour ({side}) and "
                "mediastinal nodes",
                2.0,
                (30, 33),
                "VMAT IMRT",
                "carbo cisvin",
            ),
        ),
    ),
    history=(
        _s("other", 1, (0, 0), "Bronchoskopie mit EBUS-Biopsie|Bronchoscopy with EBUS biopsy"),
        _PET,
        _s("imaging", 1, (3, 10), "MRT Schädel ohne Metastasen|Brain MRI without metastases"),
    ),
    acute="oesophagitis pneumonitis cough fatigue derm",
    late="pneumonitis lungfibrosis cough",
    advice=(
        "Konsolidierende Immuntherapie mit Durvalumab|Consolidation durvalumab",
        "Inhalative Therapie bei Husten|Inhaled therapy for cough",
        "Nikotinkarenz|Smoking cessation",
    ),
    follow_exam="CT Thorax|chest CT",
    follow_findings=(
        "CT Thorax mit regredientem Befund.|Chest CT with regressing disease.",
        "CT Thorax mit narbigen Veränderungen, kein Progress.|"
        "Chest CT with scarring, no progression.",
    ),
    initial_findings=(
        "Belastungsdyspnoe, abgeschwächtes Atemgeräusch {side}.|"
        "Dyspnoea on exertion, reduced breath sounds ({side}).",
    ),
    referrer="Klinik für Pneumologie|Department of Respiratory Medicine",
)
_LUNG_SBRT = _LUNG._replace(
    stages=(("cT1b cN0 cM0", "IA2"), ("cT1c cN0 cM0", "IA3"), ("cT2a cN0 cM0", "IB")),
    plans=tuple(
        (
            _c(
                "Peripherer Lungenherd {side}|Peripheral lung lesion ({side})",
                dpf,
                (fx,),
                "SBRT",
                alternate=True,
            ),
        )
        for dpf, fx in ((15.0, 3), (12.0, 4), (7.5, 8))
    ),
    history=(
        _s("other", 1, (0, 0), "CT-gesteuerte Biopsie|CT-guided biopsy"),
        _PET,
        _s(
            "other",
            1,
            (3, 14),
            "Lungenfunktion: funktionell inoperabel|Lung function tests: not fit for surgery",
        ),
    ),
    acute="fatigue cough pneumonitis",
    advice=("Nikotinkarenz|Smoking cessation", "CT Thorax alle 3 Monate|Chest CT every 3 months"),
)
_OESOPHAGUS = _Site(
    diagnoses=(
        ("C15.4", "Ösophaguskarzinom, mittleres Drittel|Oesophageal cancer, middle third"),
        ("C15.5", "Ösophaguskarzinom, unteres Drittel|Oesophageal cancer, lower third"),
    ),
    histologies=("Plattenepithelkarzinom|Squamous cell carcinoma", "Adenokarzinom|Adenocarcinoma"),
    stages=(("cT3 cN0 cM0", "II"), ("cT3 cN1 cM0", "III"), ("cT2 cN1 cM0", "II")),
    plans=(
        (
            _c(
                "Primärtumor und regionäre Lymphknoten|Primary tumour and regional nodes",
                1.8,
                (23,),
                "VMAT IMRT",
                "carbo",
            ),
        ),
    ),
    history=(
        _s("other", 1, (0, 0), "Gastroskopie mit Biopsie|Upper endoscopy with biopsy"),
        _s("other", 1, (3, 14), "Endosonographie|Endoscopic ultrasound"),
        _IMAGING_CT,
    ),
    acute="oesophagitis dysphagia nausea fatigue",
    late="dysphagia fatigue",
    advice=(
        "Restaging und Ösophagektomie|Restaging and oesophagectomy",
        "Hochkalorische Trinknahrung|High-calorie oral supplements",
    ),
    follow_exam="Endoskopie und CT|endoscopy and CT",
    follow_findings=(
        "Schluckakt ungestört, kein Anhalt für ein Rezidiv.|"
        "Swallowing normal, no evidence of recurrence.",
    ),
    initial_findings=(
        "Dysphagie für feste Kost, Gewichtsverlust.|Dysphagia for solid food, weight loss.",
    ),
    referrer="Klinik für Gastroenterologie|Department of Gastroenterology",
)
_ANAL = _Site(
    diagnoses=(("C21.1", "Analkanalkarzinom|Anal canal carcinoma"),),
    histologies=("Plattenepithelkarzinom, p16-positiv|Squamous cell carcinoma, p16-positive",),
    stages=(("cT2 cN0 cM0", "IIA"), ("cT2 cN1a cM0", "IIIA"), ("cT3 cN1a cM0", "IIIC")),
    plans=(
        (
            _c(
                "Primärtumor, pelvine und inguinale Lymphknoten|Primary tumour, pelvic and "
                "inguinal nodes",
                1.8,
                (28, 30, 33),
                "IMRT VMAT",
                "mmc",
            ),
        ),
    ),
    history=(
        _s("other", 1, (0, 0), "Proktoskopie mit Biopsie|Proctoscopy with biopsy"),
        _PELVIC_MRI,
        _PET,
    ),
    acute="derm diarrhoea proctitis cystitis fatigue",
    late="proctitis diarrhoea fatigue",
    advice=(
        "Sitzbäder und lokale Hautpflege|Sitz baths and local skin care",
        "Beurteilung des Ansprechens in der Nachsorge|Assess response at follow-up",
    ),
    follow_exam="Proktoskopie und MRT Becken|proctoscopy and pelvic MRI",
    follow_findings=("Komplette Remission, Haut abgeheilt.|Complete response, skin healed.",),
    initial_findings=(
        "Tastbarer Tumor im Analkanal, Stuhlkontinenz erhalten.|"
        "Palpable tumour in the anal canal, continence preserved.",
    ),
    referrer="Klinik für Viszeralchirurgie|Department of Visceral Surgery",
)
_CERVIX = _Site(
    diagnoses=(
        ("C53.0", "Zervixkarzinom, Endozervix|Cervical cancer, endocervix"),
        ("C53.9", "Zervixkarzinom|Cervical cancer"),
    ),
    sexes=(1, 0, 0, 0),
    histologies=("Plattenepithelkarzinom|Squamous cell carcinoma", "Adenokarzinom|Adenocarcinoma"),
    stages=(("cT1b2 cN0 cM0", "IB"), ("cT2b cN0 cM0", "IIB"), ("cT2b cN1 cM0", "IIIB")),
    plans=(
        (
            _c(
                "Becken mit pelvinen Lymphknoten|Pelvis with pelvic nodes",
                1.8,
                (25, 28),
                "VMAT IMRT",
                "cis_w",
            ),
        ),
    ),
    history=(
        _s("other", 1, (0, 0), "Kolposkopie mit Biopsie|Colposcopy with biopsy"),
        _PELVIC_MRI,
        _s("surgery", 0.3, (7, 21), "Laparoskopisches Staging, {r}|Laparoscopic staging, {r}"),
    ),
    acute="diarrhoea cystitis nausea fatigue proctitis",
    late="proctitis vaginal cystitis",
    advice=(
        "Anschließende HDR-Brachytherapie|Subsequent HDR brachytherapy",
        "Vaginaldilatatoren nach Abschluss|Vaginal dilators after treatment",
    ),
    follow_exam="gynäkologischer Untersuchung|gynaecological examination",
    follow_findings=(
        "Portio unauffällig, kein Anhalt für ein Rezidiv.|"
        "Cervix unremarkable, no evidence of recurrence.",
    ),
    initial_findings=(
        "Exophytischer Tumor der Portio, Parametrien frei.|"
        "Exophytic cervical tumour, parametria free.",
    ),
    referrer="Klinik für Gynäkologie|Department of Gynaecology",
)
_METASTATIC_HISTORY = (
    _s("imaging", 1, (0, 7), "CT Thorax und Abdomen|CT of chest and abdomen"),
    _s(
        "imaging",
        0.7,
        (3, 10),
        "MRT der Wirbelsäule|MRI of the spine",
        "Skelettszintigraphie|Bone scan",
    ),
)
_P_BREAST = _Primary(
    "C50.9",
    "Mammakarzinom|Breast cancer",
    "Invasives Karzinom NST|Invasive carcinoma NST",
    True,
    "Mastektomie {side}, {r}|Mastectomy ({side}), {r}",
    "Palliative Therapie mit Letrozol und Palbociclib|Palliative letrozole and palbociclib",
    (97, 1, 1, 1),
)
_P_LUNG = _Primary(
    "C34.9",
    "Lungenkarzinom|Lung cancer",
    "Adenokarzinom|Adenocarcinoma",
    True,
    "Lobektomie {side}, {r}|Lobectomy ({side}), {r}",
    "Systemtherapie mit Pembrolizumab|Systemic therapy with pembrolizumab",
)
_BONE_METS = _Site(
    diagnoses=(("C79.5", "Ossäre Metastasen, {lesion}|Bone metastases, {lesion}"),),
    lesions=(
        "BWK 8 und 9|thoracic vertebrae T8 and T9",
        "LWK 2 bis 4|lumbar vertebrae L2 to L4",
        "Os ilium rechts|right ilium",
        "Femur links|left femur",
    ),
    histologies=(),
    gradings=(),
    kps=False,
    primaries=(
        _P_BREAST,
        _P_LUNG,
        _Primary(
            "C61",
            "Prostatakarzinom|Prostate cancer",
            "Azinäres Adenokarzinom|Acinar adenocarcinoma",
            False,
            "Radikale Prostatektomie, {r}|Radical prostatectomy, {r}",
            "Therapie mit Enzalutamid|Enzalutamide therapy",
            (0, 1, 0, 0),
        ),
        _Primary(
            "C64",
            "Nierenzellkarzinom|Renal cell carcinoma",
            "Klarzelliges Nierenzellkarzinom|Clear cell renal cell carcinoma",
            True,
            "Nephrektomie {side}, {r}|Nephrectomy ({side}), {r}",
            "Therapie mit Nivolumab und Cabozantinib|Nivolumab and cabozantinib therapy",
        ),
    ),
    plans=tuple(
        (_c("Metastasen {lesion}|Metastases, {lesion}", dpf, (fx,), "3D VMAT"),)
        for dpf, fx in ((8.0, 1), (4.0, 5), (3.0, 10))
    ),
    history=_METASTATIC_HISTORY,
    acute="pain nausea fatigue diarrhoea",
    late="pain fatigue",
    advice=(
        "Analgesie nach WHO-Stufenschema fortführen|Continue analgesia (WHO ladder)",
        "Osteoprotektion mit Denosumab|Bone protection with denosumab",
        "Fortführung der Systemtherapie|Continue systemic therapy",
    ),
    follow_exam="Schmerzanamnese und Bildgebung|pain review and imaging",
    follow_findings=(
        "Schmerzen deutlich gebessert, Analgetika reduziert.|"
        "Pain much improved, analgesics reduced.",
    ),
    initial_findings=(
        "Belastungsabhängige Schmerzen, keine neurologischen Ausfälle.|"
        "Pain on weight bearing, no neurological deficit.",
    ),
    referrer="Klinik für Onkologie|Department of Oncology",
)
_BRAIN_METS = _BONE_METS._replace(
    diagnoses=(
        (
            "C79.3",
            "Hirnmetastasen, führende Läsion {lesion}|Brain metastases, dominant lesion {lesion}",
        ),
    ),
    kps=True,
    lesions=(
        "parietal rechts|right parietal",
        "frontal links|left frontal",
        "zerebellär links|left cerebellar",
    ),
    primaries=(
        _P_LUNG,
        _P_BREAST,
        _Primary(
            "C43.5",
            "Malignes Melanom am Rumpf|Malignant melanoma of the trunk",
            "Superfiziell spreitendes Melanom|Superficial spreading melanoma",
            False,
            "Exzision, {r}|Wide local excision, {r}",
            "Therapie mit Nivolumab|Nivolumab therapy",
        ),
    ),
    plans=(
        (_c("Metastase {lesion}|Metastasis, {lesion}", 20.0, (1,), "SRS"),),
        (_c("Ganzhirn|Whole brain", 3.0, (10,), "3D"),),
    ),
    history=(_s("imaging", 1, (0, 7), _BRAIN_MRI),),
    acute="headache fatigue nausea alopecia",
    late="fatigue concentration alopecia",
    advice=(
        "MRT Schädel alle 3 Monate|Brain MRI every 3 months",
        "Dexamethason ausschleichen|Taper dexamethasone",
        "Fortführung der Systemtherapie|Continue systemic therapy",
    ),
    follow_exam="MRT Schädel|brain MRI",
    follow_findings=("MRT mit Größenregredienz der Metastasen.|MRI shows shrinking metastases.",),
    initial_findings=("Kopfschmerzen, leichte Gangunsicherheit.|Headache, mild unsteady gait.",),
)
_PANCREAS = _Site(
    diagnoses=(
        ("C25.0", "Pankreaskopfkarzinom|Carcinoma of the pancreatic head"),
        ("C25.1", "Pankreaskorpuskarzinom|Carcinoma of the pancreatic body"),
    ),
    histologies=("Duktales Adenokarzinom|Ductal adenocarcinoma",),
    stages=(("cT3 cN1 cM0", "IIB"), ("cT4 cN0 cM0", "III"), ("cT4 cN1 cM0", "III")),
    plans=(
        (
            _c(
                "Primärtumor und regionäre Lymphknoten|Primary tumour and regional nodes",
                1.8,
                (28,),
                "VMAT IMRT",
                "cape",
            ),
        ),
    ),
    history=(
        _s(
            "other",
            1,
            (0, 0),
            "Endosonographie mit Feinnadelpunktion|EUS-guided fine-needle aspiration",
        ),
        _IMAGING_CT,
        _s(
            "chemotherapy",
            0.8,
            (7, 21),
            "Induktionschemotherapie mit FOLFIRINOX|Induction chemotherapy with FOLFIRINOX",
            lasts=120,
        ),
    ),
    acute="nausea fatigue abdpain diarrhoea anorexia",
    late="fatigue diarrhoea",
    advice=(
        "Restaging und chirurgische Vorstellung|Restaging and surgical review",
        "Pankreasenzymsubstitution|Pancreatic enzyme replacement",
    ),
    follow_exam="CA 19-9 und CT Abdomen|CA 19-9 and abdominal CT",
    follow_findings=("CT Abdomen mit stabilem Befund.|Abdominal CT stable.",),
    initial_findings=("Oberbauchschmerzen, Gewichtsverlust.|Upper abdominal pain, weight loss.",),
    referrer="Klinik für Gastroenterologie|Department of Gastroenterology",
)
_BLADDER = _Site(
    diagnoses=(
        ("C67.2", "Harnblasenkarzinom, Seitenwand|Bladder cancer, lateral wall"),
        ("C67.9", "Harnblasenkarzinom|Bladder cancer"),
    ),
    histologies=("Urothelkarzinom, high grade|Urothelial carcinoma, high grade",),
    gradings=("G3",),
    stages=(("pT2 cN0 cM0", "II"), ("cT3a cN0 cM0", "IIIA")),
    plans=(
        (
            _c(
                "Harnblase und pelvine Lymphknoten|Bladder and pelvic nodes",
                2.0,
                (32,),
                "VMAT IMRT",
                "fu_mmc",
            ),
        ),
    ),
    history=(
        _s(
            "surgery",
            1,
            (0, 0),
            "Transurethrale Resektion (TUR-B), {r}|Transurethral resection (TURBT), {r}",
        ),
        _IMAGING_CT,
        _s("surgery", 0.6, (14, 28), "Nachresektion, {r}|Second-look resection, {r}"),
    ),
    acute="cystitis frequency diarrhoea fatigue",
    late="frequency cystitis proctitis",
    advice=(
        "Zystoskopie alle 3 Monate|Cystoscopy every 3 months",
        "Ausreichende Trinkmenge|Adequate fluid intake",
    ),
    follow_exam="Zystoskopie|cystoscopy",
    follow_findings=("Zystoskopie ohne Anhalt für ein Rezidiv.|Cystoscopy without recurrence.",),
    initial_findings=(
        "Makrohämaturie, sonst unauffällig.|Macroscopic haematuria, otherwise unremarkable.",
    ),
    referrer="Klinik für Urologie|Department of Urology",
)
_LYMPHOMA_TARGET = "Involved Site {lesion}|Involved site, {lesion}"
_LYMPHOMA = _Site(
    diagnoses=(
        (
            "C83.3",
            "Diffus großzelliges B-Zell-Lymphom, Ann Arbor IIA|"
            "Diffuse large B-cell lymphoma, Ann Arbor stage IIA",
        ),
    ),
    histologies=("DLBCL, Keimzentrums-Typ|DLBCL, germinal centre type",),
    gradings=(),
    lesions=(
        "zervikal links|left cervical nodes",
        "mediastinal|mediastinal nodes",
        "axillär rechts|right axillary nodes",
    ),
    plans=((_c(_LYMPHOMA_TARGET, 2.0, (15,), "VMAT 3D"),),),
    history=(
        _s("surgery", 1, (0, 0), "Lymphknotenexstirpation|Lymph node excision biopsy"),
        _PET,
        _s("chemotherapy", 1, (7, 21), "6 Zyklen R-CHOP|6 cycles of R-CHOP", lasts=126),
        _s(
            "imaging",
            1,
            (7, 14),
            "Abschluss-PET/CT mit Restbefund|End-of-treatment PET/CT with residual uptake",
        ),
    ),
    acute="oesophagitis fatigue nausea xerostomia",
    late="fatigue xerostomia",
    advice=(
        "Weitere Betreuung in der Hämatologie|Further care in haematology",
        "Jährliche Kontrolle der Schilddrüsenwerte|Annual thyroid function tests",
    ),
    follow_exam="Sonographie der Lymphknoten|lymph node ultrasound",
    follow_findings=("Keine vergrößerten Lymphknoten.|No enlarged lymph nodes.",),
    initial_findings=("Restlymphknoten ohne B-Symptome.|Residual node, no B symptoms.",),
    referrer="Klinik für Hämatologie|Department of Haematology",
)
_HODGKIN = _LYMPHOMA._replace(
    diagnoses=(
        (
            "C81.1",
            "Hodgkin-Lymphom, nodulär-sklerosierend, Ann Arbor IIA|"
            "Hodgkin lymphoma, nodular sclerosis, Ann Arbor stage IIA",
        ),
    ),
    histologies=("Klassisches Hodgkin-Lymphom|Classical Hodgkin lymphoma",),
    plans=((_c(_LYMPHOMA_TARGET, 2.0, (10,), "VMAT 3D"),),),
    history=(
        _LYMPHOMA.history[0],
        _PET,
        _s("chemotherapy", 1, (7, 21), "2 Zyklen ABVD|2 cycles of ABVD", lasts=56),
        _s("imaging", 1, (7, 14), "Interim-PET/CT negativ|Interim PET/CT negative"),
    ),
)
_SITES = (
    _BREAST,
    _BREAST_NEOADJUVANT,
    _PROSTATE,
    _HEAD_NECK,
    _RECTUM,
    _GLIOBLASTOMA,
    _LUNG,
    _LUNG_SBRT,
    _OESOPHAGUS,
    _ANAL,
    _CERVIX,
    _BONE_METS,
    _BRAIN_METS,
    _PANCREAS,
    _BLADDER,
    _LYMPHOMA,
    _HODGKIN,
)

# --- people and places -----------------------------------------------------------------------

_GIVEN = {
    "female": (
        "Erika",
        "Anna",
        "Ursula",
        "Monika",
        "Sabine",
        "Jutta",
        "Helga",
        "Ingrid",
        "Renate",
        "Zeynep",
        "Ayşe",
        "Małgorzata",
        "Agnieszka",
        "Siobhán",
        "Zoë",
        "Chloé",
        "Åsa",
        "Elżbieta",
        "Dorothée",
        "Fatma",
        "Thị Lan",
        "Svetlana",
        "Hanne",
        "Renée",
        "Yasmin",
    ),
    "male": (
        "Hans",
        "Klaus",
        "Jürgen",
        "Günter",
        "Wolfgang",
        "Dieter",
        "Peter",
        "Stefan",
        "Mehmet",
        "Ömer",
        "Tomasz",
        "Paweł",
        "Jiří",
        "Søren",
        "Seán",
        "François",
        "José",
        "João",
        "Văn Minh",
        "Raúl",
        "Björn",
        "Hüseyin",
        "Ahmed",
        "Dmitrij",
        "Luca",
    ),
    "neutral": ("Alex", "Kim", "Robin", "Sascha", "Jona", "Charlie", "Eike", "Toni", "Nikola"),
}
_FAMILY = (
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Hoffmann",
    "Koch",
    "Weiß",
    "Schäfer",
    "Krüger",
    "Groß",
    "Jäger",
    "Kühn",
    "Nguyễn",
    "Trần",
    "Øberg-Müller",
    "O'Sullivan",
    "Şahin",
    "Yılmaz",
    "Öztürk",
    "Kowalczyk",
    "Wiśniewski",
    "Dvořák",
    "Nowak",
    "Papadopoulos",
    "García López",
    "Rossi",
    "Lefèvre",
    "Jørgensen",
    "Ivanović",
    "Đorđević",
    "Al-Hassan",
    "von der Heide",
    "Müller-Lüdenscheidt",
)
_STREETS = (
    "Lindenstraße",
    "Hauptstraße",
    "Bahnhofstraße",
    "Goethestraße",
    "Schillerplatz",
    "Kastanienallee",
    "Rosenweg",
    "Am Stadtpark",
    "Mühlenweg",
    "Kirchgasse",
    "Ahornring",
)
_CITIES = (
    ("Freiburg im Breisgau", "791"),
    ("Heidelberg", "691"),
    ("Tübingen", "720"),
    ("Ulm", "890"),
    ("Mannheim", "681"),
    ("Karlsruhe", "761"),
    ("München", "803"),
    ("Köln", "506"),
    ("Leipzig", "041"),
    ("Kassel", "341"),
    ("Görlitz", "028"),
    ("Lübeck", "235"),
    ("Würzburg", "970"),
    ("Offenburg", "776"),
)
_HOSPITALS = (
    "Klinikum Nordstadt",
    "St.-Elisabeth-Krankenhaus",
    "Kreisklinik Talheim",
    "Evangelisches Krankenhaus am Park",
    "Städtisches Klinikum Süd",
    "Marienhospital",
)
_PRACTICE = "Praxis für Allgemeinmedizin|General practice"
_TITLES = {
    "de": ("Dr. med.", "Prof. Dr. med.", "PD Dr. med.", ""),
    "en": ("Dr", "Professor", "Dr", ""),
}
_TITLE_WEIGHTS = (65, 12, 5, 18)
_ROLES = {
    "female": (
        "Oberärztin|Consultant radiation oncologist",
        "Fachärztin für Strahlentherapie|Specialist in radiation oncology",
        "Assistenzärztin|Resident in radiation oncology",
    ),
    "male": (
        "Oberarzt|Consultant radiation oncologist",
        "Facharzt für Strahlentherapie|Specialist in radiation oncology",
        "Assistenzarzt|Resident in radiation oncology",
    ),
}
_SEXES = ("female", "male", "diverse", "unknown")
# CTCAE grades (and weights) by letter type; an initial consultation precedes treatment, so its
# toxicities are the side effects discussed for consent, all grade 0.
_GRADES: dict[str, tuple[tuple[int, ...], tuple[int, ...]]] = {
    "final_report": ((1, 2, 3), (55, 35, 10)),
    "follow_up": ((0, 1, 2), (25, 55, 20)),
    "initial_consultation": ((0,), (1,)),
}
