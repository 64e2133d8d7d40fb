"""Constants the importers, payments and reports share with their callers, without a database.

The command line reads them at start-up (option defaults and help texts), so this module
imports nothing.
"""

#: Above this share of the open invoices, closing needs the operator's confirmation (`--yes`).
SHARE_PERCENT = 20
#: The period the DSO report looks back over, in days, unless told otherwise.
DSO_DAYS = 90
#: Source of payments recorded by a person (CLI or chat), as opposed to "import".
MANUAL = "manual"
