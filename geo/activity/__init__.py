"""The activity log: the audit log read back for people (Actividad page, ``sit activity``).

``labels`` names actions, objects, fields and values in Spanish; ``log`` filters and pages
the audit rows; ``tables`` turns them into the on-screen table and the .xlsx download.
"""
