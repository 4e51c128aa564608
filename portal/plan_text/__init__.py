"""Reading a plan's text and drafting its 任务分工 (duty decomposition), as pure functions.

No Flask, no database: `read_plan(path)` turns a .docx/.txt/.md/.pdf into a clause-linked
`PlanDocument`; `draft_duties(document, units)` proposes one `DraftDuty` per task clause, each field
with the sentence it came from. The plans blueprint stores, reviews and publishes what these return.
The data shapes live in `portal.plan_text.model`.
"""
