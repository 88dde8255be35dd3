"""The notifications service: tells applicants, agents and officers about each step of an application (GOV.UK Notify,
or the local outbox), each message once and on the record."""
