"""A council's configuration: what its deployment fixes, overlaid by the settings recorded on its stream."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Annotated

import orjson
from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationError

from shared.councils import rules
from shared.councils.errors import CouncilNotFound
from shared.councils.profile import CouncilProfile

DEFAULT_LOCAL_BASE_URL = rules.DEFAULT_LOCAL_BASE_URL


class DeploymentConfigError(ValueError):
    """The deployments file cannot be used."""


class FirstAdministrator(BaseModel):
    """The officer the stack makes the first member of the council user pool's administrator group."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    email: Annotated[str, AfterValidator(partial(rules.check_email, what="first administrator's e-mail"))]
    name: Annotated[str, AfterValidator(partial(rules.check_name, "first administrator's name"))]


class CouncilDeployment(BaseModel):
    """What is fixed when a council is deployed (CDK reads the same file)."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)  # Lambdas read it rarely: cold starts

    code: Annotated[str, AfterValidator(rules.check_code)]
    slug: Annotated[str, AfterValidator(rules.check_slug)]
    name: Annotated[str, AfterValidator(partial(rules.check_name, "council name"))]
    domain: Annotated[str, AfterValidator(rules.check_download_host)] | None = None
    reference_suffixes: Annotated[dict[str, str], AfterValidator(rules.check_reference_suffixes)] = {}
    allow_download_hosts: Annotated[tuple[str, ...], AfterValidator(rules.check_download_hosts)] = ()
    admin_email: Annotated[str, AfterValidator(partial(rules.check_email, what="admin e-mail"))] | None = None
    public_base_url: Annotated[str, AfterValidator(rules.check_public_base_url)] | None = None
    determination_periods: Annotated[dict[str, int], AfterValidator(rules.check_determination_periods)] = {}
    first_administrator: FirstAdministrator | None = None


def load_deployments(path: Path | str) -> dict[str, CouncilDeployment]:
    """The councils of a deployments file (a JSON list of CouncilDeployment objects), by code."""
    path = Path(path)
    try:
        entries = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError) as exc:
        raise DeploymentConfigError(f"cannot read council deployments from {path}: {exc}") from exc
    if not isinstance(entries, list):
        raise DeploymentConfigError(f"{path}: expected a JSON list of councils")
    deployments: dict[str, CouncilDeployment] = {}
    for index, entry in enumerate(entries):
        try:
            deployment = CouncilDeployment.model_validate(entry)
        except ValidationError as exc:
            raise DeploymentConfigError(f"{path}: council #{index + 1} is invalid: {exc}") from None
        if deployment.code in deployments:
            raise DeploymentConfigError(f"{path}: council code {deployment.code} appears twice")
        if any(other.slug == deployment.slug for other in deployments.values()):
            raise DeploymentConfigError(f"{path}: council slug {deployment.slug} appears twice")
        deployments[deployment.code] = deployment
    return deployments


class EffectiveCouncilSettings(BaseModel):
    """The settings the services use for one council."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str
    slug: str
    name: str
    domain: str | None
    public_base_url: str
    allow_download_hosts: tuple[str, ...]
    reference_suffixes: dict[str, str]  # overrides only: `reference_suffix` falls back to the ODP catalogue
    determination_periods: dict[str, int] = {}  # overrides only: `determination_period_days` has the statutory ones
    reply_to_email: str | None
    admin_email: str | None
    publish_applicant_names: bool = False  # the public register shows the applicant's name and agent's company

    def reference_suffix(self, application_type: str) -> str:
        """This council's suffix for an ODP type code (its own or its nearest parent's override, else the default)."""
        from shared.odp.catalogue import reference_suffix  # the catalogue: intake's, not every settings reader's

        return reference_suffix(application_type, self.reference_suffixes)

    def determination_period_days(self, application_type: str, *, eia: bool = False) -> int:
        """Calendar days from valid-from to expiry for this council: its override for the type, else the statute's."""
        from shared.calendar.periods import determination_period_days

        return determination_period_days(application_type, self.determination_periods, eia=eia)


def effective_settings(
    deployment: CouncilDeployment | None, state: CouncilProfile, local_base_url: str = DEFAULT_LOCAL_BASE_URL
) -> EffectiveCouncilSettings:
    """Deployment config overlaid by the stream's settings (the stream wins); local defaults for what neither sets.

    Reference suffixes and determination periods merge per type code; every other setting is taken whole from the
    first that sets it.
    """
    if state.exists:
        if deployment is not None and deployment.code != state.code:
            raise ValueError(f"deployment {deployment.code} does not belong to council {state.code}")
        code, slug, name = state.code, state.slug, state.name
    elif deployment is not None:
        code, slug, name = deployment.code, deployment.slug, deployment.name
    else:
        raise CouncilNotFound("the council is neither deployed nor created")
    recorded = state.settings
    base_url = recorded.public_base_url or (deployment and deployment.public_base_url)
    if not base_url and deployment is not None and deployment.domain:
        base_url = f"https://{deployment.domain}"
    hosts = recorded.allow_download_hosts
    if hosts is None:
        hosts = deployment.allow_download_hosts if deployment else ()
    return EffectiveCouncilSettings(
        code=code,
        slug=slug,
        name=name,
        domain=deployment.domain if deployment else None,
        public_base_url=base_url or local_base_url,
        allow_download_hosts=hosts,
        reference_suffixes={
            **(deployment.reference_suffixes if deployment else {}),
            **(recorded.reference_suffixes or {}),
        },
        determination_periods={
            **(deployment.determination_periods if deployment else {}),
            **(recorded.determination_periods or {}),
        },
        reply_to_email=recorded.reply_to_email,
        admin_email=deployment.admin_email if deployment else None,
        publish_applicant_names=bool(recorded.publish_applicant_names),
    )
