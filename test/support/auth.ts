/**
 * Signing in from tests: every test deployment's first admin is `admin` / TEST_ADMIN_PASSWORD
 * (testConfig and spawnService set ADMIN_PASSWORD). Tokens are cached per base URL, so polling
 * reads do not pay a password hash (or the sign-in rate limit) each time.
 */
export const TEST_ADMIN_PASSWORD = 'test-admin-password';

export interface SignedIn {
  token: string;
  expiresAt: string;
  user: { username: string; roles: string[]; units: string[] };
}

export async function signIn(url: string, username = 'admin', password = TEST_ADMIN_PASSWORD): Promise<SignedIn> {
  const response = await fetch(`${url}/api/v1/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (response.status !== 200) throw new Error(`sign-in as ${username} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as SignedIn;
}

const adminTokens = new Map<string, Promise<string>>();

/** The first admin's token for a deployment (cached per URL). */
export function adminToken(url: string): Promise<string> {
  let token = adminTokens.get(url);
  if (!token) {
    token = signIn(url).then((s) => s.token);
    token.catch(() => adminTokens.delete(url));
    adminTokens.set(url, token);
  }
  return token;
}

export async function authHeaders(url: string): Promise<Record<string, string>> {
  return { authorization: `Bearer ${await adminToken(url)}` };
}

/** Create a user through the admin API (throws unless 201), then sign them in: their token. */
export async function createUserToken(url: string, admin: string, user: { username: string; password: string; roles: string[]; units: string[] }): Promise<string> {
  const created = await fetch(`${url}/api/v1/admin/users`, {
    method: 'POST',
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
    body: JSON.stringify(user),
  });
  if (created.status !== 201) throw new Error(`creating ${user.username} answered ${created.status}: ${await created.text()}`);
  return (await signIn(url, user.username, user.password)).token;
}
