// What the compiled binary leaves out of node-vault: a bundler plugin that answers node-vault's own
// imports of modules Courier never lets it use with a stub.
//
// node-vault loads axios (and https for it) to send requests when it is given no request function
// of its own, tv4 to check each request, and debug to trace them. Courier gives it a request
// function on Bun's fetch, a shape check and a silent trace (src/vault/http.ts), so none of the
// four ever runs, yet loading them cost ~11 MB resident and ~140 ms on the main thread and again in
// every sync worker (a compiled listener that only imports node-vault: +17 MB and 150 ms with them,
// +6 MB and 10–50 ms without). Run from source, the real modules still load, unused; the tests of
// the compiled binary prove it works without them.
import type { BunPlugin } from "bun";

const unused = (what: string) =>
  `() => { throw new Error("${what} is left out of this build: Courier gives node-vault its own"); }`;

/** CommonJS, as node-vault requires them. */
const STUBS: Record<string, string> = {
  axios: `module.exports = { create: ${unused("axios")} };`,
  https: `module.exports = { Agent: ${unused("https")} };`,
  tv4: `module.exports = { validate: ${unused("tv4")} };`,
  debug: "module.exports = () => Object.assign(() => {}, { enabled: false });",
};

export const leaveOut: BunPlugin = {
  name: "courier-left-out",
  setup(build) {
    const names = new RegExp(`^(${Object.keys(STUBS).join("|")})$`);
    build.onResolve({ filter: names }, (args) =>
      /[\\/]node_modules[\\/]node-vault[\\/]/.test(args.importer)
        ? { path: args.path, namespace: "left-out" }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: "left-out" }, (args) => ({
      contents: STUBS[args.path] ?? "",
      loader: "js",
    }));
  },
};
