"""The officer JSON API (`/api/officer/v1`): the case list, one application's state and audit trail, and one POST per
domain command. The handler module is `services.assessment.officer_api.handler`."""
