"""The Management API's JSON, in Logto's camelCase (spec §3.2, §6): what requests may send and
what responses carry. Request bodies refuse unknown keys (400 naming them; Logto drops them)."""

from typing import Any, Literal

from ninja import Schema
from pydantic import ConfigDict, Field, StrictBool, StrictInt, StrictStr

PASSWORD_ALGORITHMS = Literal[
    "Argon2i", "Argon2id", "Argon2d", "SHA1", "SHA256", "MD5", "Bcrypt", "Legacy"
]


class Body(Schema):
    """A request body: unknown keys are an error; Strict* fields are not coerced."""

    model_config = ConfigDict(extra="forbid")


class Error(Schema):
    """Every non-2xx answer: a stable `code` to switch on, a human `message`."""

    code: str
    message: str
    details: str | None = None
    data: Any = None


# --- Users --------------------------------------------------------------------------------


class Address(Body):
    formatted: StrictStr | None = None
    streetAddress: StrictStr | None = None
    locality: StrictStr | None = None
    region: StrictStr | None = None
    postalCode: StrictStr | None = None
    country: StrictStr | None = None


class Profile(Body):
    familyName: StrictStr | None = None
    givenName: StrictStr | None = None
    middleName: StrictStr | None = None
    nickname: StrictStr | None = None
    preferredUsername: StrictStr | None = None
    profile: StrictStr | None = None
    website: StrictStr | None = None
    gender: StrictStr | None = None
    birthdate: StrictStr | None = None
    zoneinfo: StrictStr | None = None
    locale: StrictStr | None = None
    address: Address | None = None


class UserCreate(Body):
    username: StrictStr | None = None
    primaryEmail: StrictStr | None = None
    primaryPhone: StrictStr | None = None
    password: StrictStr | None = Field(None, min_length=1, max_length=256)
    passwordDigest: StrictStr | None = Field(None, min_length=1, max_length=256)
    passwordAlgorithm: PASSWORD_ALGORITHMS | None = None
    name: StrictStr | None = None
    avatar: StrictStr | None = None
    customData: dict[str, Any] | None = None
    profile: Profile | None = None


class UserUpdate(Body):
    username: StrictStr | None = None
    primaryEmail: StrictStr | None = None
    primaryPhone: StrictStr | None = None
    name: StrictStr | None = None
    avatar: StrictStr | None = None
    customData: dict[str, Any] | None = None
    profile: Profile | None = None


class Identity(Schema):
    userId: str
    details: dict[str, Any] | None = None


class SsoIdentity(Schema):
    tenantId: str
    id: str
    userId: str
    issuer: str
    identityId: str
    detail: dict[str, Any]
    createdAt: int
    updatedAt: int
    ssoConnectorId: str


class User(Schema):
    id: str
    username: str | None
    primaryEmail: str | None
    primaryPhone: str | None
    name: str | None
    avatar: str | None
    customData: dict[str, Any]
    identities: dict[str, Identity]
    lastSignInAt: int | None
    createdAt: int
    updatedAt: int
    profile: dict[str, Any]
    applicationId: str | None
    isSuspended: bool
    hasPassword: bool
    ssoIdentities: list[SsoIdentity] | None = None
    passwordDigest: str | None = None
    passwordAlgorithm: str | None = None


class CustomDataPatch(Body):
    customData: dict[str, Any]


class ProfilePatch(Body):
    profile: Profile


class PasswordBody(Body):
    password: StrictStr = Field(min_length=1, max_length=256)


class PasswordExpiration(Body):
    isExpired: StrictBool


class HasPassword(Schema):
    hasPassword: bool


class Suspension(Body):
    isSuspended: StrictBool


# --- Roles --------------------------------------------------------------------------------


class Role(Schema):
    tenantId: str
    id: str
    name: str
    description: str
    type: Literal["User", "MachineToMachine"]
    isDefault: bool


class RoleCreate(Body):
    name: StrictStr = Field(min_length=1, max_length=128)
    description: StrictStr = Field("", max_length=256)
    type: Literal["User", "MachineToMachine"] = "User"
    isDefault: StrictBool = False
    scopeIds: list[StrictStr] | None = None


class RoleIds(Body):
    roleIds: list[StrictStr] = Field(max_length=100)


class RolesAdded(Schema):
    roleIds: list[str]
    addedRoleIds: list[str]


class RolesSet(Schema):
    roleIds: list[str]


# --- Organizations, identities, MFA, personal access tokens -----------------------------


class OrganizationRole(Schema):
    id: str
    name: str


class Organization(Schema):
    tenantId: str
    id: str
    name: str
    description: str | None
    customData: dict[str, Any]
    isMfaRequired: bool
    color: dict[str, Any]
    branding: dict[str, Any]
    customCss: str | None
    createdAt: int
    organizationRoles: list[OrganizationRole]


class IdentityPut(Body):
    userId: StrictStr = Field(min_length=1, max_length=256)
    details: dict[str, Any] | None = None


class MfaVerification(Schema):
    id: str
    createdAt: str
    type: str
    lastUsedAt: str | None = None
    agent: str | None = None
    name: str | None = None
    remainCodes: int | None = None


class MfaEnrol(Body):
    """POST /users/:id/mfa-verifications: `type` Totp (optional `secret`) or BackupCode
    (optional `codes`); other types, or a field of the other type, are 400."""

    type: StrictStr = Field(max_length=32, description="`Totp` or `BackupCode`")
    secret: StrictStr | None = Field(
        default=None, max_length=256, description="Totp: 16-32 upper-case base32 characters"
    )
    codes: list[StrictStr] | None = Field(
        default=None, max_length=100, description="BackupCode: ten codes of ten hex characters"
    )


class TotpEnrolled(Schema):
    type: Literal["Totp"]
    secret: str
    secretQrCode: str


class BackupCodesEnrolled(Schema):
    type: Literal["BackupCode"]
    codes: list[str]


class PersonalAccessToken(Schema):
    tenantId: str
    userId: str
    name: str
    createdAt: int
    expiresAt: int | None
    value: str | None = None  # only in the response that creates it


class TokenCreate(Body):
    name: StrictStr = Field(min_length=1, max_length=256)
    expiresAt: StrictInt | None = None


class TokenRename(Body):
    name: StrictStr = Field(min_length=1, max_length=256)
    currentName: StrictStr | None = Field(None, min_length=1, max_length=256)


class TokenName(Body):
    name: StrictStr = Field(min_length=1, max_length=256)
