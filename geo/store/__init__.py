"""The one door for every write to initiatives, sites, territories and population figures.

Every caller (the pages, the spreadsheet import, the layer import, the loaders and the
``sit`` command) writes through these functions with an :class:`~geo.store.actor.Actor`
(who, through what, with which role). Each write first checks the actor's role
(:mod:`geo.store.permissions`; a refusal writes nothing), then the row's ``version`` when
the caller says which version it saw, writes only the fields that changed, bumps the
version, records status history for initiatives, and writes one ``audit_log`` row per
changed row with every changed field's before and after values. Nothing else in the project issues INSERT,
UPDATE or DELETE on those tables (tests/geo/test_architecture.py checks it).

Modules: :mod:`geo.store.actor` (who), :mod:`geo.store.permissions` (the role table),
:mod:`geo.store.audit` (the audit writer, history and conflict messages),
:mod:`geo.store.initiatives`, :mod:`geo.store.territories`, :mod:`geo.store.accounts`.
"""
