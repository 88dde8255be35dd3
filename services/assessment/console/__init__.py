"""The officers' web console: the assessment service's HTML face (GOV.UK Design System pages, `shared.pages`).

Its pages read the same read models and run the same domain commands as the officer JSON API, in-process
(`officer_api.commands.COMMANDS` through `Casework.act`); no rule is written twice. Sign-in and sign-out are the
councils service's pages (`services.councils.sign_in_pages`); the authorizer checks the session cookie of every console
route, as it checks the JSON API's bearer token, and puts the officer in the request context.
"""
