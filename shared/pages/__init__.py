"""The page shell every HTML page of the product shares (the applicant pages now, the officers' console next).

GOV.UK Design System pages: Jinja templates over the govuk-frontend-jinja macros (`rendering.py`, `templates/`), the
govuk-frontend CSS, JavaScript, fonts and images served by a public route (`assets.py`), and the error summary pattern
(`errors.py`). A service adds its own templates beside its handler and renders them with `page_environment(...)`.
"""
