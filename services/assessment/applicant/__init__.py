"""The applicant's side of a validation request: the pages (GOV.UK Design System, no login) and their JSON twin,
reached through the request's secure link (`shared.applicant_links`), and the files the applicant uploads."""
