// A user's whole life cycle through Logto's own Management API client (@logto/api, unchanged),
// against a live Gatehouse. Usage: node lifecycle.mjs <baseUrl> <clientId> <clientSecret>
// Prints one line per step; exits non-zero at the first surprise.
import { createManagementApi } from '@logto/api/management';

const [baseUrl, clientId, clientSecret] = process.argv.slice(2);
const { apiClient: api } = createManagementApi('default', {
  clientId,
  clientSecret,
  baseUrl,
  apiIndicator: 'https://default.logto.app/api',
});

function check(condition, message) {
  if (!condition) throw new Error(`check failed: ${message}`);
}

async function expect(step, promise, status) {
  const result = await promise;
  const got = result.response.status;
  if (got !== status) {
    throw new Error(`${step}: expected ${status}, got ${got} ${JSON.stringify(result.error ?? result.data)}`);
  }
  console.log(`ok ${step} (${got})`);
  return result;
}

const userPath = (userId) => ({ params: { path: { userId } } });

const created = await expect(
  'create',
  api.POST('/api/users', {
    body: {
      username: 'compat_ann',
      primaryEmail: 'ann@compat.example.com',
      name: 'Ann Compat',
      password: 'Tall-lighthouse-42!',
      customData: { plan: 'free' },
    },
  }),
  200,
);
const id = created.data.id;
check(created.data.username === 'compat_ann' && created.data.hasPassword, 'created user');
check(typeof created.data.createdAt === 'number', 'epoch-millisecond createdAt');

const fetched = await expect('get', api.GET('/api/users/{userId}', userPath(id)), 200);
check(fetched.data.primaryEmail === 'ann@compat.example.com', 'get returns the email');

const searches = {
  'search like': { 'search.username': 'compat_%' },
  'search exact': { 'search.primaryEmail': 'ANN@compat.example.com', 'mode.primaryEmail': 'exact' },
  'search similar_to': {
    'search.name': 'Ann (Compat|Other)',
    'mode.name': 'similar_to',
    isCaseSensitive: 'true',
  },
  'search posix': { 'search.username': '^compat_a', 'mode.username': 'posix' },
  'search keyword': { search: '%compat%' },
};
for (const [step, search_params] of Object.entries(searches)) {
  const found = await expect(step, api.GET('/api/users', { params: { query: { search_params } } }), 200);
  check(found.data.some((user) => user.id === id), `${step} finds the user`);
  check(Number(found.response.headers.get('Total-Number')) >= 1, `${step} Total-Number`);
}
const none = await expect(
  'search without a match',
  api.GET('/api/users', { params: { query: { search_params: { 'search.username': 'nobody_%' } } } }),
  200,
);
check(none.data.length === 0 && none.response.headers.get('Total-Number') === '0', 'empty page');

const patched = await expect(
  'patch',
  api.PATCH('/api/users/{userId}', { ...userPath(id), body: { name: 'Ann Patched' } }),
  200,
);
check(patched.data.name === 'Ann Patched', 'patched name');

const customData = await expect(
  'custom data merge',
  api.PATCH('/api/users/{userId}/custom-data', { ...userPath(id), body: { customData: { seats: 3 } } }),
  200,
);
check(customData.data.plan === 'free' && customData.data.seats === 3, 'custom data merged');

await expect(
  'profile',
  api.PATCH('/api/users/{userId}/profile', { ...userPath(id), body: { profile: { givenName: 'Ann' } } }),
  200,
);
const profile = await expect(
  'profile merge',
  api.PATCH('/api/users/{userId}/profile', {
    ...userPath(id),
    body: { profile: { familyName: 'Compat' } },
  }),
  200,
);
check(profile.data.givenName === 'Ann' && profile.data.familyName === 'Compat', 'profile merged');

await expect(
  'password set',
  api.PATCH('/api/users/{userId}/password', { ...userPath(id), body: { password: 'Quiet-harbour-77?' } }),
  200,
);
await expect(
  'password verify',
  api.POST('/api/users/{userId}/password/verify', { ...userPath(id), body: { password: 'Quiet-harbour-77?' } }),
  204,
);
const wrong = await expect(
  'password verify (wrong)',
  api.POST('/api/users/{userId}/password/verify', { ...userPath(id), body: { password: 'not-it-at-all' } }),
  422,
);
check(wrong.error.code === 'session.invalid_credentials', 'wrong password code');
const hasPassword = await expect('has password', api.GET('/api/users/{userId}/has-password', userPath(id)), 200);
check(hasPassword.data.hasPassword === true, 'has password');

const dupUsername = await expect(
  'duplicate username',
  api.POST('/api/users', { body: { username: 'compat_ann' } }),
  422,
);
check(dupUsername.error.code === 'user.username_already_in_use', 'username code');
const dupEmail = await expect(
  'duplicate email',
  api.POST('/api/users', { body: { primaryEmail: 'ANN@compat.example.com' } }),
  422,
);
check(dupEmail.error.code === 'user.email_already_in_use', 'email code');

const suspended = await expect(
  'suspend',
  api.PATCH('/api/users/{userId}/is-suspended', { ...userPath(id), body: { isSuspended: true } }),
  200,
);
check(suspended.data.isSuspended === true, 'suspended');
const reactivated = await expect(
  'reactivate',
  api.PATCH('/api/users/{userId}/is-suspended', { ...userPath(id), body: { isSuspended: false } }),
  200,
);
check(reactivated.data.isSuspended === false, 'reactivated');

const role = await expect(
  'create role',
  api.POST('/api/roles', { body: { name: 'compat-editor', description: 'Edits things', type: 'User' } }),
  200,
);
await expect(
  'assign role',
  api.POST('/api/users/{userId}/roles', { ...userPath(id), body: { roleIds: [role.data.id] } }),
  201,
);
const roles = await expect('list roles', api.GET('/api/users/{userId}/roles', userPath(id)), 200);
check(roles.data.length === 1 && roles.data[0].id === role.data.id, 'role listed');
await expect(
  'remove role',
  api.DELETE('/api/users/{userId}/roles/{roleId}', {
    params: { path: { userId: id, roleId: role.data.id } },
  }),
  204,
);
const noRoles = await expect('list roles again', api.GET('/api/users/{userId}/roles', userPath(id)), 200);
check(noRoles.data.length === 0, 'role removed');

const logs = await expect(
  'logs',
  api.GET('/api/logs', { params: { query: { userId: id, includeAdminActions: 'true' } } }),
  200,
);
check(logs.data.length >= 5 && logs.data.every((log) => log.payload.userId === id), 'logs of the user');
check(logs.data.some((log) => log.key === 'ManagementApi.User.Create'), 'creation logged');

await expect('delete', api.DELETE('/api/users/{userId}', userPath(id)), 204);
const gone = await expect('get deleted', api.GET('/api/users/{userId}', userPath(id)), 404);
check(gone.error.code === 'entity.not_found', 'deleted user code');
console.log('lifecycle complete');
