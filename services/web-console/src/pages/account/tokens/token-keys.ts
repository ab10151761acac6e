/** Query keys of the account's API tokens. */
export const tokenKeys = { list: ["account", "tokens"] as const };
