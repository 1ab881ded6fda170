"""The drugs a letter may name: a canonical English name for each, with its German and English
spellings, and one pattern that finds any of them (:func:`letterdesk.core.facts.extract.extract`
reports them as ``drug`` facts)."""

from __future__ import annotations

import re
from collections.abc import Iterable

DRUGS: dict[str, tuple[str, ...]] = {
    # canonical English name: spellings (German and English), matched case-insensitively
    "cisplatin": ("cisplatin",),
    "carboplatin": ("carboplatin",),
    "oxaliplatin": ("oxaliplatin",),
    "paclitaxel": ("paclitaxel", "nab-paclitaxel"),
    "docetaxel": ("docetaxel",),
    "temozolomide": ("temozolomid", "temozolomide"),
    "capecitabine": ("capecitabin", "capecitabine"),
    "fluorouracil": ("5-FU", "5-Fluorouracil", "fluorouracil"),
    "mitomycin": ("mitomycin C", "mitomycin"),
    "gemcitabine": ("gemcitabin", "gemcitabine"),
    "vinorelbine": ("vinorelbin", "vinorelbine"),
    "etoposide": ("etoposid", "etoposide"),
    "irinotecan": ("irinotecan",),
    "pemetrexed": ("pemetrexed",),
    "doxorubicin": ("doxorubicin",),
    "epirubicin": ("epirubicin",),
    "cyclophosphamide": ("cyclophosphamid", "cyclophosphamide"),
    "ifosfamide": ("ifosfamid", "ifosfamide"),
    "vincristine": ("vincristin", "vincristine"),
    "bleomycin": ("bleomycin",),
    "methotrexate": ("methotrexat", "methotrexate"),
    "lomustine": ("lomustin", "lomustine", "CCNU"),
    "procarbazine": ("procarbazin", "procarbazine"),
    "cetuximab": ("cetuximab",),
    "panitumumab": ("panitumumab",),
    "bevacizumab": ("bevacizumab",),
    "trastuzumab": ("trastuzumab", "T-DM1", "trastuzumab emtansin", "trastuzumab deruxtecan"),
    "pertuzumab": ("pertuzumab",),
    "rituximab": ("rituximab",),
    "pembrolizumab": ("pembrolizumab",),
    "nivolumab": ("nivolumab",),
    "ipilimumab": ("ipilimumab",),
    "durvalumab": ("durvalumab",),
    "atezolizumab": ("atezolizumab",),
    "cemiplimab": ("cemiplimab",),
    "osimertinib": ("osimertinib",),
    "cabozantinib": ("cabozantinib",),
    "palbociclib": ("palbociclib",),
    "ribociclib": ("ribociclib",),
    "abemaciclib": ("abemaciclib",),
    "olaparib": ("olaparib",),
    "tamoxifen": ("tamoxifen",),
    "letrozole": ("letrozol", "letrozole"),
    "anastrozole": ("anastrozol", "anastrozole"),
    "exemestane": ("exemestan", "exemestane"),
    "fulvestrant": ("fulvestrant",),
    "leuprorelin": ("leuprorelin", "leuprolide"),
    "goserelin": ("goserelin",),
    "triptorelin": ("triptorelin",),
    "degarelix": ("degarelix",),
    "bicalutamide": ("bicalutamid", "bicalutamide"),
    "enzalutamide": ("enzalutamid", "enzalutamide"),
    "apalutamide": ("apalutamid", "apalutamide"),
    "darolutamide": ("darolutamid", "darolutamide"),
    "abiraterone": ("abirateron", "abiraterone"),
    "denosumab": ("denosumab",),
    "zoledronic acid": ("zoledronsäure", "zoledronat", "zoledronic acid", "zoledronate"),
    "dexamethasone": ("dexamethason", "dexamethasone"),
    "loperamide": ("loperamid", "loperamide"),
    "ondansetron": ("ondansetron",),
    "metamizole": ("metamizol", "metamizole", "novaminsulfon"),
    "ibuprofen": ("ibuprofen",),
    "morphine": ("morphin", "morphine"),
    "pantoprazole": ("pantoprazol", "pantoprazole"),
    "amifostine": ("amifostin", "amifostine"),
    "FOLFIRINOX": ("FOLFIRINOX",),
    "FOLFOX": ("FOLFOX",),
    "FLOT": ("FLOT",),
    "R-CHOP": ("R-CHOP",),
    "ABVD": ("ABVD",),
    "BEACOPP": ("BEACOPP", "escBEACOPP"),
}
DRUG_SPELLINGS = {
    spelling.lower(): name for name, spellings in DRUGS.items() for spelling in spellings
}
"""Each spelling, lower-cased, with its canonical name."""


def _trie_pattern(words: Iterable[str]) -> str:
    """An alternation of ``words`` written as a trie, so the regex branches once per letter
    instead of trying every word at every position (the drug check runs on every keystroke)."""
    trie: dict[str, dict] = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def pattern(node: dict[str, dict]) -> str:
        ends = "" in node
        branches = [
            re.escape(char) + pattern(child) for char, child in sorted(node.items()) if char
        ]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 and not ends else "(?:" + "|".join(branches) + ")"
        return body + ("?" if ends else "")

    return pattern(trie)


# longest match first: the trie's optional tails are greedy, and (?![\w]) makes it backtrack
DRUG = re.compile(r"(?<![\w-])(" + _trie_pattern(DRUG_SPELLINGS) + r")(?![\w])", re.IGNORECASE)
"""Any spelling as a whole word, case-insensitively; group 1 is the spelling as written."""
