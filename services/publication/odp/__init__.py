"""The ODP face of the public register: `/api/@next/public/...` as Open Digital Planning registers read it."""
