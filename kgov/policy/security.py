"""Security: no literal secrets in the catalog; pii topics not readable by everyone."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from kgov.catalog.model import AccessFile, Topic
from kgov.diagnostics import Location, Severity
from kgov.policy.context import Context
from kgov.policy.references import granted_topics
from kgov.policy.registry import Example, Finding, rule, topic_file
from kgov.secrets import NESTED_SECRET_BLOCKS, REF, SECRET_FIELDS, is_reference

WILDCARD = "User:*"
# Kafka's principal for a client with no authentication (a PLAINTEXT listener): anyone who can reach
# the port. For pii it counts as everyone, like the wildcard.
ANONYMOUS = "User:ANONYMOUS"
EVERYONE = frozenset({WILDCARD, ANONYMOUS})


def _literal(value: object) -> bool:
    return value is not None and not is_reference(value)


def _secret_values(block: object) -> Iterator[tuple[tuple[str, ...], str, object]]:
    """(path inside the block, field, value) of each secret field of a connection block, and of the
    blocks nested in it that hold secrets too (`oauth: {client_secret}`)."""
    if not isinstance(block, Mapping):
        return
    for field in sorted(SECRET_FIELDS):
        if field in block:
            yield (), field, block[field]
    for nested in NESTED_SECRET_BLOCKS:
        inner = block.get(nested)
        if isinstance(inner, Mapping):
            for field in sorted(SECRET_FIELDS):
                if field in inner:
                    yield (nested,), field, inner[field]


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
SCRAM `password` of every ACL file; `oauth.client_secret` (of `kafka` and `schema_registry`) and
`schema_registry.bearer_token` too. A password inside the registry's `url` or `bootstrap_servers`
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
            for path, field, value in _secret_values(values):
                if _literal(value):
                    yield Finding(
                        env.loc(block, *path, field),
                        f"environment '{env.name}': {'.'.join((block, *path, field))} is a literal secret",
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


def _no_pii(ctx: Context) -> bool:
    """True when no topic is classified pii (the usual catalog): asked in C over the column."""
    return "pii" not in ctx.column("classification")


@rule(
    "pii-wildcard-read",
    "pii topics not readable by everyone",
    severity=Severity.ERROR,
    message="a pii topic is readable by everyone (User:* or User:ANONYMOUS)",
    hint="grant read on pii topics to named principals only",
    doc="""
A topic with `classification: pii` must not be readable by `User:*` (every authenticated client) or
`User:ANONYMOUS` (every client of a PLAINTEXT listener, with no authentication at all): neither
through an ACL file whose principal is one of them that `consumes` it, nor through a custom `acls:`
entry of such a file that allows `read` (or `all`) on a name or prefix matching it. The principal
judged is each environment's: a per-environment override (`principals: {prod: 'User:*'}`) is checked
like the file's own `principal`, whatever `--env` says. Deny entries are fine.
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
    if _no_pii(ctx):
        return
    pii: dict[str, Topic] = {t.name: t for t in ctx.topics if t.classification == "pii"}
    if not pii:
        return
    for af in ctx.catalog.access_files:
        # every principal the file stands for: its own and each environment's override
        who = [(af.principal, ""), *((p, f" in environment '{e}'") for e, p in sorted(af.principals.items()))]
        for principal, scope in who:
            if principal not in EVERYONE:
                continue
            for i, name in enumerate(af.consumes):
                if name in pii:
                    yield _pii(af.loc("consumes", i), name, principal, scope)
            for entry in af.acls:
                for name in granted_topics(entry, "read", sorted(pii)):
                    yield _pii(entry.loc(), name, principal, scope, f"{entry.pattern} '{entry.name}'")


def _pii(where: Location, topic: str, principal: str, scope: str, via: str = "consumes") -> Finding:
    return Finding(where, f"pii topic '{topic}' is readable by everyone ({principal}{scope}, via {via})")


_OWN_SETTINGS = (
    "version: 1\nenvironments:\n  prod:\n    kafka:\n      bootstrap_servers: kafka:9092\n"
    "      security_protocol: SASL_SSL\n      username: kgov-admin\n      password: '${env:PW}'\n"
)


@rule(
    "kgov-own-principal",
    "kgov never manages its own login",
    severity=Severity.ERROR,
    message="an ACL file declares the principal kgov logs in as",
    hint="remove the file (or the environment's principal): kgov's own login is managed outside the catalog",
    doc="""
The principal kgov logs in as (`User:` and the environment's `kafka.username`) is not the catalog's:
declaring it would let a plan change kgov's own SCRAM password or revoke its cluster rights (and a
pull request take over the admin). Every environment's user name written literally is checked
against every ACL file's principal for that environment (`principal`, or its `principals` entry),
whatever `--env` says. A user name written as a reference (`${env:KGOV_USERNAME}`) is known only
when kgov connects: `kgov plan` then blocks every entry for that principal, so neither plan nor apply
ever changes kgov's own credential or bindings. `kgov import` leaves it out too.

`User:ANONYMOUS` is Kafka's principal for clients with no authentication (a PLAINTEXT listener, often
a super user): a SCRAM credential of that name is refused, and it counts as everyone for pii topics
(rule `pii-wildcard-read`). The cluster's `super.users` are not known to the catalog: keep them out
of it.
""",
    examples=(
        Example(
            False,
            {"kgov.yaml": _OWN_SETTINGS, "acls/admin.yaml": "service: admin\nprincipal: User:kgov-admin\n"},
            line=2,
            file="acls/admin.yaml",
        ),
        Example(
            True,
            {"kgov.yaml": _OWN_SETTINGS, "acls/orders.yaml": "service: orders\nprincipal: User:orders\n"},
        ),
    ),
)
def check_own_principal(ctx: Context) -> Iterator[Finding]:
    for af in ctx.catalog.access_files:
        for env in ctx.catalog.settings.environments.values():  # every environment, whatever --env says
            user = env.kafka.get("username")
            if not isinstance(user, str) or REF.search(user):
                continue  # a reference: kgov/engine/selfguard.py blocks it at plan time
            principal, where = _principal_in(af, env.name)
            if principal == f"User:{user}":
                yield Finding(
                    where,
                    f"service '{af.service}': {principal} is the principal kgov logs in as in environment "
                    f"'{env.name}'; kgov never changes its own credential or rights",
                )
        names = {af.principal, *af.principals.values()}
        auth = af.authentication
        if ANONYMOUS in names and auth is not None and auth.kind == "scram":
            yield Finding(
                af.loc("authentication"),
                f"service '{af.service}': a SCRAM credential for {ANONYMOUS}, Kafka's principal of "
                "clients with no authentication",
                hint="name the service's own principal; User:ANONYMOUS is not a login",
            )


def _principal_in(af: AccessFile, env: str) -> tuple[str, Location]:
    if env in af.principals:
        return af.principals[env], af.loc("principals", env)
    return af.principal, af.loc("principal")
