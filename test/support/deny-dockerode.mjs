// Used as `node --import ./test/support/deny-dockerode.mjs ...`: any attempt to load one of the
// denied packages (default: dockerode; override with DENY_MODULES=a,b) fails the process, so a
// test can prove a command never loads the engine adapter. Both `import` (a resolve hook) and
// `require` (CommonJS resolution, which ESM hooks do not see on Node 20) are covered.
import Module, { register } from "node:module";

const denied = (process.env.DENY_MODULES ?? "dockerode").split(",").map((s) => s.trim()).filter(Boolean);

function deniedName(specifier) {
  return denied.find((name) => specifier === name || specifier.startsWith(`${name}/`) || specifier.includes(`/node_modules/${name}/`));
}

const hooks = `
const denied = ${JSON.stringify(denied)};
export async function resolve(specifier, context, next) {
  for (const name of denied) {
    if (specifier === name || specifier.startsWith(name + "/") || specifier.includes("/node_modules/" + name + "/")) {
      throw new Error("denied module loaded: " + name + " (from " + (context.parentURL ?? "?") + ")");
    }
  }
  return next(specifier, context);
}
`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`, import.meta.url);

const original = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  const name = deniedName(String(request));
  if (name) throw new Error(`denied module loaded: ${name} (required from ${parent?.filename ?? "?"})`);
  return original.call(this, request, parent, ...rest);
};
