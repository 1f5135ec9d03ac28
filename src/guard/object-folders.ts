/**
 * Object storage folders that a request names by their name and their parent's URI: "delete
 * the checkpoint-100 folder from s3://b/runs/churn-7/" names `s3://b/runs/churn-7/checkpoint-100/`,
 * and asks for less than deleting `s3://b/runs/churn-7/`, so the parent is not named as a
 * target.
 */

/** "the NAME folder", "NAME prefix", "the NAME directory". */
const FOLDER_PHRASE = /\b([\w][\w.-]*)\s+(?:folder|prefix|directory|dir|subfolder)\b/gi;
/** A URI of object storage, as a word of a message. */
const OBJECT_URI = /\b(?:s3|gs):\/\/[^/\s]+\/[^\s]*/g;
/** Words before "folder" that do not name one: "the whole folder", "that run folder". */
const NOT_A_NAME =
  /^(?:the|a|an|this|that|these|those|whole|entire|same|parent|root|top|its|their|my|our|your|each|every|all|run|bucket|old|new|other|sub|s3|gs)$/i;

/** Returns `uri` without its trailing slashes and the punctuation that ends a sentence. */
function normalUri(uri: string): string {
  return uri.replace(/[)'"`,;:!?.]+$/, '').replace(/\/+$/, '');
}

/**
 * Returns the folders, as URIs without a trailing slash, that one sentence names by their
 * name together with the URI of their parent. A sentence with more than one URI names none,
 * because the folder may belong to either.
 */
function namedFoldersIn(sentence: string): string[] {
  const uris = sentence.match(OBJECT_URI) ?? [];
  if (uris.length !== 1) {
    return [];
  }
  const parent = normalUri(uris[0] ?? '');
  return [...sentence.matchAll(FOLDER_PHRASE)]
    .map((match) => match[1] ?? '')
    .filter((name) => !NOT_A_NAME.test(name) && !parent.endsWith(`/${name}`))
    .map((name) => `${parent}/${name}`);
}

/** Returns the child folders a request names by name and parent URI, as {@link namedFoldersIn}. */
export function namedChildFolders(request: string): string[] {
  return request.split(/(?<=[.!?;])\s+|\n+/).flatMap(namedFoldersIn);
}

/** Checks whether the request names `uri` as a child folder of a URI it gives. */
export function namesChildFolder(request: string, uri: string): boolean {
  return /^(?:s3|gs):\/\//.test(uri) && namedChildFolders(request).includes(normalUri(uri));
}

/**
 * Checks whether every URI in the request that equals `uri` only gives the parent of a folder
 * the request names, so a delete of `uri` itself would reach more than was asked.
 */
export function namesOnlyChildOf(request: string, uri: string): boolean {
  const parent = normalUri(uri);
  return (
    /^(?:s3|gs):\/\//.test(uri) &&
    namedChildFolders(request).some((folder) => folder.startsWith(`${parent}/`))
  );
}
