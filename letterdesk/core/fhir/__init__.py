"""Case data from hospital systems as HL7 FHIR R4 (mCODE, CodeX Radiation Therapy).

``read`` checks a FHIR JSON document (a Bundle or a single resource) with the ``fhir.resources``
models and indexes its resources; ``mapping`` turns them into cases of the case format, one per
patient, listing every resource and element it could not use. Each part of a case is read by
the module of its subject — ``patient``, ``diagnoses``, ``radiotherapy``, ``history``,
``observations`` — from a ``reader.CaseReader``, with the small element readers of
``elements``; ``codes`` names the code systems, profiles and extensions they rely on. Stands on
``cases`` and ``foundation``.
"""
