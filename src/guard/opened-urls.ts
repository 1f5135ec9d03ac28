/**
 * URLs that a tool opens for the agent. A browser tool's `navigate` or `goto` sends its URL to
 * the host exactly as WebFetch does, so both get the same checks. Out-of-band callback
 * services (interaction, collaborator and request-catcher hosts) record every lookup of a name
 * under their domain, so such a name anywhere in a URL, a query value included, reports back
 * to the owner of that service.
 */

/** MCP tool names that open a URL in a browser or fetch it. */
const OPENING_TOOL =
  /(?:^|_|-)(?:navigate|goto|go_to|open_url|open_page|open_link|new_page|new_tab|tab_new|visit|load_url|browse_url)(?:$|_|-)|^(?:\w+_)?fetch(?:_url|_page)?$/i;
/** Arguments that carry the URL a browser tool opens. */
const URL_KEYS = ['url', 'href', 'uri', 'link', 'address'];
/** A cheap test that runs before any host is read from the text. */
const CALLBACK_KEYWORD =
  /collaborator|oast|interact|dnslog|requestbin|requestcatcher|webhook\.site|pipedream|canarytoken|beeceptor|hookbin|ceye\.io|ssrf/i;
/** Domains of out-of-band interaction services, matched at the end of a host name. */
const CALLBACK_DOMAIN =
  /(?:^|\.)(?:burpcollaborator\.net|oastify\.com|oast\.(?:pro|live|site|online|fun|me)|interact\.sh|interactsh\.com|dnslog\.(?:cn|link)|ceye\.io|requestbin\.(?:net|com)|requestcatcher\.com|webhook\.site|pipedream\.net|m\.pipedream\.net|canarytokens\.(?:com|org)|beeceptor\.com|hookbin\.com|ssrf\.(?:cc|site))$/i;
/** Host names inside decoded URL text. */
const HOST_NAME = /[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+/gi;

/** Returns the URL argument of an MCP tool that opens a page, if the tool is one. */
export function openedUrl(tool: string, input: Record<string, unknown>): string | undefined {
  if (!OPENING_TOOL.test(tool)) {
    return undefined;
  }
  for (const key of URL_KEYS) {
    const value = input[key];
    if (typeof value === 'string' && /^https?:\/\//i.test(value)) {
      return value;
    }
  }
  return undefined;
}

/**
 * Returns the first callback-service host named anywhere in `url`: its host, its path, or a
 * query or fragment value (after percent decoding). Undefined when there is none.
 */
export function callbackHostInUrl(url: string): string | undefined {
  if (!CALLBACK_KEYWORD.test(url)) {
    return undefined;
  }
  let text = url;
  try {
    text = decodeURIComponent(url.replace(/\+/g, ' '));
  } catch {
    // A malformed escape leaves the raw text to search.
  }
  for (const match of text.matchAll(HOST_NAME)) {
    if (CALLBACK_DOMAIN.test(match[0])) {
      return match[0].toLowerCase();
    }
  }
  return undefined;
}
