// The /v1 API with the credential the user signed in with. It lives in this tab's sessionStorage only:
// closing the tab signs out, and the server keeps nothing beyond what the API already has.

const KEY = "evwatch.credential";

export const credential = {
  get: () => sessionStorage.getItem(KEY),
  set: (value) => sessionStorage.setItem(KEY, value),
  clear: () => sessionStorage.removeItem(KEY),
};

export class ApiError extends Error {
  constructor(status, message, body) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

export async function api(path, { method = "GET", query = {}, body, token = credential.get() } = {}) {
  const url = new URL(path, location.origin);
  for (const [name, value] of Object.entries(query)) {
    if (value !== "" && value !== null && value !== undefined) url.searchParams.set(name, String(value));
  }
  const headers = { Accept: "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (error) {
    throw new ApiError(0, `The API cannot be reached (${error.message}).`, null);
  }
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!response.ok) {
    const message = data && typeof data.message === "string" ? data.message : `${response.status} ${response.statusText}`;
    throw new ApiError(response.status, message, data);
  }
  return data;
}

let vocabularyPromise = null;

// Categories, issue statuses and their moves, as the server's domain defines them.
export function vocabulary() {
  vocabularyPromise ??= fetch("/ui/vocabulary.json").then((r) => {
    if (!r.ok) throw new ApiError(r.status, "The dashboard's vocabulary could not be loaded.", null);
    return r.json();
  });
  return vocabularyPromise;
}
