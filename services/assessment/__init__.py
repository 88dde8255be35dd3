"""The assessment service: officers validate, assess, review and decide planning applications."""

CASE_LIST_READ_MODEL = "case-list"  # the officers' case list (services/assessment/case_list)
