/** Module resolution hooks (node:module register): `chdb` and its platform packages are not found. */
export async function resolve(specifier, context, nextResolve) {
  if (/^(@chdb\/|chdb($|\/))/.test(specifier)) {
    const error = new Error(`Cannot find package '${specifier}' (left out, as in the service image)`);
    error.code = 'ERR_MODULE_NOT_FOUND';
    throw error;
  }
  return nextResolve(specifier, context);
}
