/**
 * Who may change the directory: a signed-in admin, or a caller with DIRECTORY_IMPORT_TOKEN (scripts,
 * the simulator). Wrong tokens count against the caller's address (common/http/secret-guard.ts).
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { bearerToken, secretsEqual } from '../../common/http/credentials.ts';
import type { SecretGuard } from '../../common/http/secret-guard.ts';
import type { RequireUser } from '../access/require-user.ts';

export function authorizeDirectoryWrite(requireUser: RequireUser, importToken: string | undefined, guard: SecretGuard): RequestHandler {
  const requireAdmin = requireUser('admin');
  return function authorizeDirectoryWriteMiddleware(req: Request, res: Response, next: NextFunction) {
    if (!guard.admit(req, res)) return;
    const token = bearerToken(req.headers.authorization);
    if (token && importToken && secretsEqual(token, importToken)) {
      next();
      return;
    }
    // Neither the import token nor (as requireAdmin will say) a valid sign-in: a wrong token.
    res.on('finish', () => res.statusCode === 401 && guard.failed(req));
    void requireAdmin(req, res, next);
  };
}
