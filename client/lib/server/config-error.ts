/** The client's environment is missing or wrong; the message names the variable and the fix. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}
