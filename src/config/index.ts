// Courier's configuration, for the rest of the program.
//   loadConfig({argv, needs})  → the validated, effective Config (tokens read from their files)
//   Config, VaultTarget        → the types, inferred from the schema
//   redactConfig(config)       → the same with every token as "***", for logs and written files
//   parseAuditAddress, parseCidr → the audit listener's address and allowlist entries, checked as it reads them
export { parseAuditAddress, parseHostPort } from "./addresses.ts";
export type { Requirements } from "./checks.ts";
export { parseCidr } from "./cidr.ts";
export type { CommandFlag, CommandFlags } from "./flags.ts";
export { type Loaded, type LoadOptions, loadConfig } from "./load.ts";
export { ConfigError } from "./problems.ts";
export { MASK, redactConfig } from "./redact.ts";
export { type Config, ConfigSchema, type LogFormat, type LogLevelName, type VaultTarget } from "./schema.ts";
export { formatDuration, formatSize } from "./values.ts";
export { renderConfigYaml } from "./yaml-writer.ts";
