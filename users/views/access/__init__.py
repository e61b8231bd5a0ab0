"""Console pages of access control, one module per page: a user's Roles and Organizations tabs
(user_access), roles, API resources with their permissions, organizations with organization
roles, and applications. The shared flows are in _common."""

from users.views.access.applications import (  # noqa: F401
    ApplicationDelete,
    ApplicationEdit,
    ApplicationNew,
    ApplicationRoleRemove,
    application_detail,
    application_roles_assign,
    application_rotate_secret,
)
from users.views.access.organizations import (  # noqa: F401
    OrganizationDelete,
    OrganizationEdit,
    OrganizationNew,
    OrganizationRoleDelete,
    OrganizationRoleEdit,
    OrganizationRoleNew,
    organization_detail,
)
from users.views.access.resources import (  # noqa: F401
    ResourceDelete,
    ResourceEdit,
    ResourceNew,
    ScopeDelete,
    ScopeEdit,
    ScopeNew,
    resource_detail,
)
from users.views.access.roles import (  # noqa: F401
    RoleDelete,
    RoleEdit,
    RoleNew,
    role_detail,
)
from users.views.access.user_access import (  # noqa: F401
    UserOrganizationRemove,
    UserOrganizationRoles,
    UserRoleRemove,
    user_organization_add,
    user_organizations,
    user_permissions,
    user_roles,
    user_roles_assign,
)
