"""Security: no literal secrets in the catalog; pii topics not readable by everyone."""

from __future__ import annotations

from collections.abc import Iterator

from kgov.catalog.model import Topic
from kgov.diagnostics import Location, Severity
from kgov.policy.context import Context
from kgov.policy.references import granted_topics
from kgov.policy.registry import Example, Finding, rule, topic_file
from kgov.secrets import SECRET_FIELDS, is_reference

WILDCARD = "User:*"


def _literal(value: object) -> bool:
    return value is not None and not is_reference(value)


def _password_in_address(value: object, url: bool) -> bool:
    """True if a URL (`url`) or a bootstrap_servers list holds a literal password: `user:password@host`.

    Such a password is a literal secret, and kgov never uses it (connections take username/password)."""
    if not isinstance(value, str):
        return False
    for address in [value] if url else value.split(","):
        rest = address.strip().split("://", 1)[-1]
        host_part = rest.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0] if url else rest
        userinfo, at, _ = host_part.rpartition("@")
        password = userinfo.partition(":")[2] if at else ""
        if password and not is_reference(password):
            return True
    return False


@rule(
    "literal-secret",
    "secrets only as references",
    severity=Severity.ERROR,
    message="a password is written literally in the catalog",
    hint="write ${env:NAME} or ${file:/path} instead; if it was ever committed, rotate the secret",
    doc="""
Passwords are references, never values: `${env:NAME}` (an environment variable) or `${file:/path}`
(a file's content), exactly, resolved only when kgov connects. This covers `password` and
`ssl_key_password` of each environment's `kafka` block, `password` of its `schema_registry`, and the
SCRAM `password` of every ACL file. A password inside the registry's `url` or `bootstrap_servers`
(`https://user:password@host`) is one too, and kgov would not use it: write `username` and
`password` instead. The message never repeats the secret.
""",
    examples=(
        Example(
            False,
            {
                "acls/orders.yaml": "service: orders\nprincipal: User:orders\nauthentication:\n"
                "  scram: {mechanism: SCRAM-SHA-512, password: hunter2}\nproduces: [orders.created]\n"
            },
            line=4,
        ),
        Example(
            True,
            {
                "acls/orders.yaml": "service: orders\nprincipal: User:orders\nauthentication:\n"
                "  scram: {mechanism: SCRAM-SHA-512, password: '${env:ORDERS_PASSWORD}'}\n"
                "produces: [orders.created]\n"
            },
        ),
    ),
)
def check_secrets(ctx: Context) -> Iterator[Finding]:
    settings = ctx.catalog.settings
    for env in settings.environments.values():  # every environment, whatever --env says
        blocks = {"kafka": env.kafka, "schema_registry": env.schema_registry or {}}
        for block, values in blocks.items():
            for field in sorted(SECRET_FIELDS):
                if _literal(values.get(field)):
                    yield Finding(
                        env.loc(block, field),
                        f"environment '{env.name}': {block}.{field} is a literal secret",
                    )
        addresses = (("schema_registry", "url", True), ("kafka", "bootstrap_servers", False))
        for block, field, url in addresses:
            if _password_in_address(blocks[block].get(field), url):  # the message never repeats it
                yield Finding(
                    env.loc(block, field),
                    f"environment '{env.name}': {block}.{field} holds a password (user:password@…), "
                    "a literal secret that kgov does not use",
                    "remove user:password@ from it and write username: and password: '${env:NAME}' "
                    f"in the {block} block; if it was ever committed, rotate the secret",
                )
    for af in ctx.catalog.access_files:
        auth = af.authentication
        if auth is not None and auth.kind == "scram" and _literal(auth.password):
            yield Finding(
                af.loc("authentication", "scram", "password"),
                f"service '{af.service}': the SCRAM password of {af.principal} is a literal secret",
            )


@rule(
    "pii-wildcard-read",
    "pii topics not readable by everyone",
    severity=Severity.ERROR,
    message="a pii topic is readable by the wildcard principal User:*",
    hint="grant read on pii topics to named principals only",
    doc="""
A topic with `classification: pii` must not be readable by `User:*` (every authenticated client):
neither through an ACL file with `principal: 'User:*'` that `consumes` it, nor through a custom
`acls:` entry of such a file that allows `read` (or `all`) on a name or prefix matching it. Deny
entries are fine.
""",
    examples=(
        Example(
            False,
            {
                "topics/users.yaml": topic_file(
                    "users", "users.registered", extra="    classification: pii\n"
                ),
                "acls/everyone.yaml": "service: everyone\nprincipal: 'User:*'\n"
                "acls:\n  - {resource: topic, name: 'users.', pattern: prefixed, operations: [read]}\n",
            },
            line=4,
            file="acls/everyone.yaml",
        ),
        Example(
            True,
            {
                "topics/users.yaml": topic_file(
                    "users", "users.registered", extra="    classification: pii\n"
                ),
                "acls/everyone.yaml": "service: everyone\nprincipal: 'User:*'\n"
                "acls:\n  - {resource: topic, name: 'users.', pattern: prefixed, operations: [read],\n"
                "     permission: deny}\n",
            },
        ),
    ),
)
def check_pii(ctx: Context) -> Iterator[Finding]:
    pii: dict[str, Topic] = {t.name: t for t in ctx.topics if t.classification == "pii"}
    if not pii:
        return
    for af in ctx.catalog.access_files:
        if af.principal != WILDCARD:
            continue
        for i, name in enumerate(af.consumes):
            if name in pii:
                yield _pii(af.loc("consumes", i), name)
        for entry in af.acls:
            for name in granted_topics(entry, "read", sorted(pii)):
                yield _pii(entry.loc(), name, f"{entry.pattern} '{entry.name}'")


def _pii(where: Location, topic: str, via: str = "consumes") -> Finding:
    return Finding(where, f"pii topic '{topic}' is readable by every principal ({WILDCARD}, via {via})")
