/**
 * A group's name: 1 to 200 visible characters (letters, marks, digits, punctuation, symbols; no
 * spaces or control characters), e.g. a tenant or a provider.
 */
export const GROUP_NAME = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]{1,200}$/u;

export const GROUP_NAME_RULE = 'group must be 1 to 200 visible characters (no spaces or control characters)';

/** The largest limit a group can have, for concurrency and for starts per second. */
export const GROUP_LIMIT_MAX = 100_000;
