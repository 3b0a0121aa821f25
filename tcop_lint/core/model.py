"""The frozen data every part of tcop-lint passes around.

Loaders turn files into these views; checks read only these views, never parser output.
Everything here is picklable so that parsed views can be cached and sent between processes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Level = Literal["error", "warning", "note"]
LEVELS: tuple[Level, ...] = ("note", "warning", "error")
LEVEL_RANK: Mapping[str, int] = {"note": 1, "warning": 2, "error": 3}

# A path into plain data: dict keys and list indexes, as JSON Schema error paths give them.
DataPath = tuple[str | int, ...]


@dataclass(frozen=True, order=True, slots=True)  # slots: a large scan holds millions of positions
class Position:
    """1-based line and column of the start of a piece of text; end is optional."""

    line: int
    column: int = 1
    end_line: int | None = None
    end_column: int | None = None
    # Set on a value of a module instance that a caller wrote: the caller's file (the position
    # is in it), and the places that explain it (the module's own attribute, the call).
    file: str | None = field(default=None, compare=False)
    related: tuple[Position, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class Unresolved:
    """A value tcop-lint cannot know statically (a variable without a value, a function call).

    Checks treat it as unknown: never a finding by guess. A string template with an unknown
    part keeps its known literal ``prefix`` and ``suffix``: the value is certainly a string that
    starts and ends with them, which is enough to decide some conditions.
    """

    expression: str
    prefix: str = ""
    suffix: str = ""

    def __str__(self) -> str:
        return f"${{{self.expression}}}"


def is_unresolved(value: Any) -> bool:
    return isinstance(value, Unresolved)


@dataclass(frozen=True)
class Node:
    """Plain data (dicts, lists, scalars, Unresolved) with the source position of every part.

    ``positions`` maps a DataPath (from the document root) to where that value starts.
    ``base`` is where this node sits inside the document, so that views of a part of a
    document (one container of a pod) still find their lines.
    """

    data: Any
    positions: Mapping[DataPath, Position]
    base: DataPath = ()

    def locate(self, path: DataPath = ()) -> Position:
        """Position of ``path`` below this node, or of its nearest ancestor that has one."""
        full = self.base + tuple(path)
        while True:
            found = self.positions.get(full)
            if found is not None:
                return found
            if not full:
                return Position(1, 1)
            full = full[:-1]

    def child(self, path: DataPath) -> Node:
        value: Any = self.data
        for key in path:
            value = value[key]
        return Node(value, self.positions, self.base + tuple(path))


@dataclass(frozen=True)
class ParseProblem:
    """A file that could not be read or parsed, or was skipped on purpose."""

    file: str
    message: str
    position: Position | None = None
    level: Level = "warning"
    skipped: bool = False  # True: skipped by design (Helm template, too large), not broken


# --- Terraform --------------------------------------------------------------------------


@dataclass(frozen=True)
class TfBlock:
    """One top-level Terraform block: resource, data, provider, variable, locals, module,
    terraform or output.

    ``body`` is a Node whose data is a dict: attributes map to values (literal Python values
    or Unresolved), nested blocks map to a list of dicts (one per block, as python-hcl2's
    dictionaries do). ``labels`` are the block labels without quotes.
    """

    file: str
    block_type: str
    labels: tuple[str, ...]
    body: Node
    position: Position

    @property
    def address(self) -> str:
        if self.block_type == "resource":
            return ".".join(self.labels)
        if self.block_type in ("data", "module", "provider", "variable", "output"):
            return ".".join((self.block_type,) + self.labels)
        return self.block_type


@dataclass(frozen=True)
class TfFile:
    """One parsed .tf / .tf.json file, or a .tfvars file (then ``tfvars`` is set)."""

    file: str
    blocks: tuple[TfBlock, ...] = ()
    tfvars: Node | None = None


@dataclass(frozen=True)
class TfResource:
    """A resource or data source after module-level resolution (var., local. substituted).

    One instance of it: in a module called from elsewhere, ``module_address`` is the call's
    path (``module.db`` or ``module.app["a"].module.db``); expanded by ``count`` or ``for_each``
    over a known collection, ``instance_key`` is ``[0]`` or ``["a"]``. ``variants`` hold the
    resource as it is under each value of the unknown conditions its attributes depend on
    (when both branches of ``x ? a : b`` are known); the resource itself keeps them unknown.
    """

    block: TfBlock
    provider: str  # "aws", "azurerm", "google", ... from the provider argument or type prefix
    provider_alias: str | None
    region: str | Unresolved | None  # None: nothing says where it lives
    region_position: Position | None
    module_address: str = ""
    instance_key: str = ""
    variants: tuple[Variant, ...] = ()

    @property
    def file(self) -> str:
        return self.block.file

    @property
    def type(self) -> str:
        return self.block.labels[0] if self.block.labels else ""

    @property
    def address(self) -> str:
        own = self.block.address + self.instance_key
        return f"{self.module_address}.{own}" if self.module_address else own


@dataclass(frozen=True)
class Variant:
    """A resource under one assignment of the unknown conditions it depends on."""

    condition: str  # "when local.is-development is true"
    resource: TfResource


@dataclass(frozen=True)
class ModuleCall:
    """A ``module`` block, and what tcop-lint could read of the module it calls."""

    block: TfBlock
    source: str  # as written
    directory: str | None  # the folder read for it (local, or installed by terraform init); None: not read
    installed: bool = False  # read from .terraform/modules (a registry or git source)


@dataclass(frozen=True)
class TfModule:
    """All Terraform files of one directory, with values resolved where that is certain.

    A folder run on its own (a root) has ``address`` ""; a module evaluated for one call has
    the call's path (``module.db``) and ``called_from``, the position of the module block
    (with its file) of each call on the way down. ``plan`` names the plan JSON file a module
    comes from, when it comes from one.
    """

    directory: str  # repository-relative, "" for the root
    files: tuple[str, ...]
    resources: tuple[TfResource, ...]  # resources and data sources (block_type tells which)
    blocks: tuple[TfBlock, ...]  # every other top-level block, resolved likewise
    address: str = ""
    called_from: tuple[Position, ...] = ()
    calls: tuple[ModuleCall, ...] = ()  # the module blocks of this module
    plan: str | None = None
    root: str | None = None  # the folder Terraform runs in, for a module called from it
    # Provider configurations written by callers (passed down, or inherited as defaults),
    # by the key this module's resources name them with: "aws", "aws.east".
    inherited_providers: tuple[tuple[str, TfBlock], ...] = ()

    def qualified(self, address: str) -> str:
        """A resource address with the folder Terraform runs in: ``envs/prod:module.db.x.y``."""
        folder = self.directory if self.root is None else self.root
        return address if folder == "" else f"{folder}:{address}"


@dataclass(frozen=True)
class PlanResource:
    """One resource instance a Terraform plan JSON says will exist (``terraform show -json``).

    ``body`` holds the planned values (``change.after``): what is unknown until apply, and
    what the plan marks sensitive, is Unresolved; nulls are left out, as unset attributes are
    in HCL. Its positions and ``position`` are in the plan file.
    """

    address: str  # module.db.aws_db_instance.this[0]
    module_address: str  # module.db ("" in the root module)
    mode: str  # "managed" or "data"
    type: str
    name: str
    instance_key: str  # [0], ["a"] or ""
    provider: str  # aws, from registry.terraform.io/hashicorp/aws
    provider_key: str  # the provider_config entry it uses ("" when not certain)
    region: str | Unresolved | None
    body: Node
    position: Position


@dataclass(frozen=True)
class PlanProvider:
    """A provider configuration of the plan (``configuration.provider_config``)."""

    key: str  # aws, aws.west, module.db:aws
    name: str
    alias: str | None
    module_address: str
    region: str | Unresolved | None  # a constant (or a root variable's planned value), else None
    configured: bool  # False: an entry with no arguments (passed in, or only required)
    position: Position


@dataclass(frozen=True)
class TfPlan:
    """A Terraform plan JSON file: its resources, module sources and provider configurations."""

    file: str
    terraform_version: str
    resources: tuple[PlanResource, ...]
    # module call path without instance keys (module.app.module.db) -> its source as written
    module_sources: Mapping[str, str] = field(default_factory=dict)
    providers: tuple[PlanProvider, ...] = ()


# --- YAML / JSON documents --------------------------------------------------------------


@dataclass(frozen=True)
class K8sObject:
    file: str
    document_index: int  # 0-based position of the YAML document in its file
    api_version: str
    kind: str
    name: str
    namespace: str | None
    node: Node  # the whole object (for List items, base points into the List)

    @property
    def address(self) -> str:
        return f"{self.kind}/{self.namespace or '_'}/{self.name}"


@dataclass(frozen=True)
class OpenApiDocument:
    file: str
    version: str  # "3.0.3", "3.1.0", "2.0"
    node: Node  # the document as written; ``refs`` resolves local $ref
    # Path items and operations written in other files (``$ref: paths/x.yaml``) are inlined;
    # each entry is (where the content sits, the file it came from, whether the place itself,
    # not only what is below it, is in that file). Positions below such a place are that file's.
    inlined: tuple[tuple[DataPath, str, bool], ...] = ()

    def file_at(self, path: DataPath) -> str:
        """The file that holds the value at ``path``."""
        found, depth = self.file, -1
        for prefix, file, with_self in self.inlined:
            n = len(prefix)
            if n > depth and tuple(path[:n]) == prefix and (len(path) > n or with_self):
                found, depth = file, n
        return found


@dataclass(frozen=True)
class RepositoryFacts:
    """What is known about the repository as a whole."""

    root: str  # absolute path of the scanned root
    files: tuple[str, ...]  # every discovered file, repository-relative, posix, sorted
    is_git: bool
    gathered: bool = False  # False: the facts below were not worked out, and checks on them stay silent
    licence_files: tuple[LicenceFile, ...] = ()  # sorted by path
    readme: str | None = None  # the root README (loaders.files.readme_path)
    readme_chars: int = 0
    readme_licence: ReadmeLicence | None = None
    security_contacts: tuple[SecurityContact, ...] = ()
    contributing: str | None = None
    codeowners: str | None = None
    workflows: tuple[str, ...] = ()
    secret_files: tuple[SecretFile, ...] = ()
    git: GitState | None = None  # None unless the root is in a git work tree
    error: str | None = None  # a bug while gathering: the facts are then not gathered


@dataclass(frozen=True)
class Documents:
    """Everything loaded for one scan."""

    repository: RepositoryFacts
    terraform: tuple[TfModule, ...] = ()
    kubernetes: tuple[K8sObject, ...] = ()
    openapi: tuple[OpenApiDocument, ...] = ()
    problems: tuple[ParseProblem, ...] = ()
    scanned_files: tuple[str, ...] = ()  # files explicitly in scope for file-level findings
    directives: tuple[Directive, ...] = ()  # inline suppressions found while loading
    # file -> what the load phase worked out for files with something to say (secrets, encoding,
    # licence, workflow, manifest ...); None when documents were assembled without it.
    content: Mapping[str, FileContent] | None = None


# --- Results ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    """What a rule reports; the engine turns it into a Finding.

    ``file`` None means the repository as a whole. ``address`` is the logical identity
    (resource address, object address, JSON pointer, or the scope of an estate-wide finding)
    that fingerprints are made from, with ``key`` when one subject has several findings of
    one check. The message is never part of the identity: it may name counts or other
    resources, which change when something else in the repository changes. ``anchor_only``
    marks a finding whose file and line only show where to look (an estate-wide finding shown
    on one block): its identity leaves the file out.
    """

    file: str | None
    position: Position | None
    address: str
    message: str
    properties: Mapping[str, Any] = field(default_factory=dict)
    level: Level | None = None  # overrides the check's level (e.g. "unresolved" notes)
    span: Position | None = None  # the enclosing block or object, for block-wide suppressions
    key: str = ""  # tells apart several findings of one check on one subject ("operationId", a package)
    anchor_only: bool = False


@dataclass(frozen=True)
class Finding:
    check_id: str
    level: Level
    tcop_point: int
    file: str | None
    position: Position | None
    address: str
    message: str
    fingerprint: str
    properties: Mapping[str, Any] = field(default_factory=dict)
    suppressed: str | None = None  # the justification when a suppression applies
    span: Position | None = None  # the enclosing block or object
    anchor_only: bool = False  # file and line only show where an estate-wide finding is shown
    related: tuple[Position, ...] = ()  # other places that explain it, each with its file
    baseline_state: str | None = None  # "new" / "unchanged" when compared with a baseline or a diff base

    def sort_key(self) -> tuple:
        pos = self.position or Position(0, 0)
        return (self.file or "", pos.line, pos.column, self.check_id, self.address, self.message)


def json_pointer(path: Iterable[Any]) -> str:
    """RFC 6901: ``("paths", "/Users", "get")`` -> ``/paths/~1Users/get`` ("" for the whole document)."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)


def walk(data: Any, path: DataPath = ()) -> Iterator[tuple[DataPath, Any]]:
    """Every (path, value) in plain data, depth first, without recursion."""
    stack: list[tuple[DataPath, Any]] = [(path, data)]
    while stack:
        current_path, value = stack.pop()
        yield current_path, value
        if isinstance(value, (dict, Mapping)):  # dict first: the common case, and cheap
            items = [(current_path + (k,), v) for k, v in value.items()]
        elif isinstance(value, (list, tuple)):
            items = [(current_path + (i,), v) for i, v in enumerate(value)]
        else:
            continue
        stack.extend(reversed(items))


# --- The catalogue and the report -------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """One catalogue entry (checks/tcop-PP/ID/check.yaml), validated."""

    id: str
    name: str
    title: str
    tcop_point: int
    level: Level
    reads: str
    help_uri: str
    rationale: str
    remediation: str
    precision: str
    rule: Mapping[str, Any]
    folder: str  # absolute path of the check's folder (fixtures live below it)
    also_points: tuple[int, ...] = ()
    security_severity: float | None = None
    tags: tuple[str, ...] = ()
    deprecated: bool = False
    service_standard: tuple[int, ...] = ()  # GOV.UK Service Standard points, 1-14
    secure_by_design: tuple[int, ...] = ()  # Secure by Design principles, 1-10


@dataclass(frozen=True)
class Inspection:
    """What one check read in a scan: its subjects (resources, objects, documents, or 1 for the
    repository as a whole) and the files they came from."""

    subjects: int
    files: int


@dataclass(frozen=True)
class StatementLink:
    text: str
    href: str
    kind: Literal["url", "path"]  # an http(s) URL, or a file of the repository


@dataclass(frozen=True)
class Statement:
    """A team's own account of how it meets one point of a framework (tcop-statements.yaml)."""

    framework: str  # "tcop", "service-standard" or "secure-by-design"
    point: str
    text: str
    owner: str
    review_by: str  # YYYY-MM-DD
    expired: bool  # the review date has passed
    links: tuple[StatementLink, ...] = ()
    applies: bool = True  # False: the team says the point does not apply to this service
    file: str = ""
    line: int = 0


@dataclass(frozen=True)
class RepositoryInfo:
    """Where a report's findings can be looked at: the commit, and its files on GitHub or GitLab."""

    name: str
    commit: str | None = None
    branch: str | None = None
    remote: str | None = None  # https://github.com/owner/name, without credentials
    file_url: str | None = None  # with {path} and {line} to fill in


@dataclass(frozen=True)
class Directive:
    """A suppression: an inline `tcop-lint:ignore` comment, an `x-tcop-lint-ignore` entry in an
    OpenAPI document, or an `ignore:` entry in configuration."""

    ids: tuple[str, ...]
    reason: str | None
    until: str | None  # YYYY-MM-DD
    file: str | None = None  # None: a configuration entry
    line: int = 0
    standalone: bool = False  # the comment is alone on its line (so it covers the next line)
    pointer: str | None = None  # OpenAPI: covers findings at or below this JSON pointer
    paths: tuple[str, ...] = ()  # configuration: gitignore-style paths it covers
    resource: str | None = None  # configuration: fnmatch pattern on the finding's address


@dataclass(frozen=True)
class LoadResult:
    """What one file yields. A loader never raises: trouble becomes a ParseProblem."""

    terraform: TfFile | None = None
    kubernetes: tuple[K8sObject, ...] = ()
    openapi: tuple[OpenApiDocument, ...] = ()
    problems: tuple[ParseProblem, ...] = ()
    directives: tuple[Directive, ...] = ()
    content: FileContent | None = None  # None when there is nothing to say
    # Per block of ``terraform``: True when resolving var. and local. cannot change it (worked
    # out once per file content, so that re-runs need not copy such blocks); () when not known.
    terraform_settled: tuple[bool, ...] = ()
    terraform_plan: TfPlan | None = None  # the file is a Terraform plan JSON


@dataclass(frozen=True)
class CheckCrash:
    """A check that raised: reported with the check and file, and the run exits 3."""

    check_id: str
    file: str | None
    message: str
    traceback: str = ""


@dataclass(frozen=True)
class CheckRun:
    """What running the checks gave: findings, crashes, and what each check read."""

    findings: tuple[Finding, ...]
    crashes: tuple[CheckCrash, ...]
    inspected: Mapping[str, Inspection] = field(default_factory=dict)  # check id -> what it read


# What repository and git checks read: the repository as a whole, whatever the targets.
REPOSITORY_KINDS = ("repository", "git")


@dataclass(frozen=True)
class Report:
    tool_version: str
    root: str  # absolute path of the scanned root
    checks: tuple[Check, ...]  # the checks that ran, sorted by id
    findings: tuple[Finding, ...]  # sorted with Finding.sort_key
    problems: tuple[ParseProblem, ...] = ()
    crashes: tuple[CheckCrash, ...] = ()
    files_scanned: int = 0
    category: str = "tcop-lint"
    baseline_hidden: int = 0  # findings left out because the baseline holds them
    diff_hidden: int = 0  # findings the branch did not introduce (pull-request mode: marked "unchanged")
    diff_base: str | None = None  # the --diff-base reference, in pull-request mode
    repository_files: tuple[str, ...] = ()  # every file of the scanned repository
    inventory: Mapping[str, Any] = field(default_factory=dict)  # clouds and services in use
    inspected: Mapping[str, Inspection] = field(default_factory=dict)  # check id -> what it read
    statements: tuple[Statement, ...] = ()
    accepted: tuple[Finding, ...] = ()  # findings the baseline holds, with its reason and date
    repository: RepositoryInfo | None = None
    configuration: Mapping[str, Any] = field(default_factory=dict)  # the settings in force, summarised
    generated_at: str = ""  # ISO 8601, UTC


def identity_file(hit: Hit) -> str:
    """The file that belongs to a finding's identity ("" for repository- and estate-wide ones)."""
    return "" if hit.anchor_only or hit.file is None else hit.file


def fingerprint(check_id: str, hit: Hit, *, disambiguator: str = "") -> str:
    """check id + file + logical address + the rule's key: never the message, so a finding keeps
    its identity when its text changes because something else in the repository did."""
    parts = [check_id, identity_file(hit), hit.address, hit.key]
    if disambiguator:
        parts.append(disambiguator)
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()[:32]


# --- Views of repository files, built per file in the load phase ------------------------


@dataclass(frozen=True)
class YamlView:
    """The first YAML document of a workflow, action or Dependabot file, with positions."""

    file: str
    node: Node

    @property
    def data(self) -> Mapping[str, Any]:
        return self.node.data if isinstance(self.node.data, Mapping) else {}

    def line(self, path: DataPath) -> int:
        return self.node.locate(path).line


@dataclass(frozen=True)
class FromLine:
    """A Dockerfile FROM instruction."""

    line: int
    image: str
    stage: str | None  # the AS name


@dataclass(frozen=True)
class CodeownersRule:
    pattern: str
    has_owners: bool


@dataclass(frozen=True)
class Manifest:
    """A package manifest (package.json, pyproject.toml, Cargo.toml, composer.json, setup.cfg,
    go.mod): its parsed data ({} when unreadable) and the lines of the keys checks report at."""

    file: str
    data: Mapping[str, Any]
    version_line: int = 1
    licence_line: int = 1


@dataclass(frozen=True)
class LockedPackage:
    """One package a lockfile or SBOM pins: the licence value as declared (normalised to text)."""

    name: str
    version: str
    licence: str | None
    line: int


@dataclass(frozen=True)
class PersonalValue:
    kind: str  # "email address", "NHS number" ...
    column: str
    value: str  # stripped, lower case: compared, never shown


@dataclass(frozen=True)
class PersonalData:
    """Values with the shape of real personal data in a data file, and the first record's line."""

    values: tuple[PersonalValue, ...]
    first_line: int


@dataclass(frozen=True)
class TextFile:
    """The text of a small file checks search (README, CI configuration, licence text)."""

    text: str  # at most the first SMALL_FILE bytes, UTF-8 with bad bytes replaced
    complete: bool  # the whole file fitted
    binary: bool  # a NUL byte near the start


@dataclass(frozen=True)
class LicenceText:
    spdx_id: str | None
    confidence: float
    method: str
    empty: bool


@dataclass(frozen=True)
class ReadmeLicence:
    spdx_id: str
    confidence: float
    method: str
    line: int | None


@dataclass(frozen=True)
class ReadmeFacts:
    chars: int  # characters other than whitespace
    licence: ReadmeLicence | None  # a licence the README states
    security_line: int | None  # a line giving a way to report a vulnerability


@dataclass(frozen=True)
class SecretHit:
    line: int
    kind: str
    shown: str  # redacted


@dataclass(frozen=True)
class FileContent:
    """What the repository checks know about one file, worked out once in the load phase.
    ``licence`` and ``readme`` are set for every readable licence file and root README, so
    that their absence means "not read"."""

    secrets: tuple[SecretHit, ...] = ()
    encoding: tuple[int, str, bool] | None = None  # (line, description, is_note) when not plain UTF-8
    csv: tuple[int, str] | None = None  # (line, what is wrong)
    html_line: int | None = None  # an <html> element without lang
    licence: LicenceText | None = None
    readme: ReadmeFacts | None = None
    text: TextFile | None = None
    yaml: YamlView | None = None
    from_lines: tuple[FromLine, ...] | None = None
    codeowners: tuple[CodeownersRule, ...] | None = None
    manifest: Manifest | None = None
    packages: tuple[LockedPackage, ...] | None = None  # lockfiles and SBOMs
    pdfa_part: str | None = None  # "1", "2", "3"; "" for a PDF not marked PDF/A
    personal: PersonalData | None = None
    secret_file: tuple[str, int] | None = None  # (kind, line): a file that normally holds secrets


@dataclass(frozen=True)
class LicenceFile:
    path: str
    location: str  # "root" or "LICENSES"
    spdx_id: str | None
    confidence: float
    method: str  # exact, dice, spdx-identifier, none, empty, unreadable
    empty: bool


@dataclass(frozen=True)
class SecurityContact:
    path: str
    kind: str  # security-policy, security-txt, readme-section
    line: int


@dataclass(frozen=True)
class SecretFile:
    path: str
    kind: str  # terraform-state, private-key, key-store, dotenv
    line: int


@dataclass(frozen=True)
class GitState:
    branch: str | None
    has_commits: bool
    error: str | None
    owner: str | None = None  # the GitHub or GitLab organisation of the origin remote, lower case
