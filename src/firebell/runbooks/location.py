"""Where Firebell reads runbooks: the policy's runbooks_dir, else the runbooks shipped inside the package."""

from pathlib import Path

from firebell.domain.policy import Policy

# Package data (pyproject's package-data), so a `pip install` has them as well as a checkout.
SHIPPED = Path(__file__).resolve().parent / "shipped"


def runbooks_dir(policy: Policy) -> Path:
    """The policy's runbooks_dir (absolute when it came from a policy file), else the shipped runbooks."""
    return policy.runbooks_dir if policy.runbooks_dir is not None else SHIPPED


def describe(directory: Path) -> str:
    """A runbooks directory as Firebell names it at start: its path, and whether it is the shipped one."""
    return f"{directory} (packaged)" if directory == SHIPPED else f"{directory} (policy runbooks_dir)"
