/** The small HTTP seam between the client and whatever sends bytes (node-fetch, or a test's fault injector). */

export interface HttpRequest {
  readonly url: string;
  readonly method: 'POST';
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly signal: AbortSignal;
  /** The transport fails with kind 'tooLarge' past this many body bytes. */
  readonly maxResponseBytes: number;
}

export interface HttpResponse {
  readonly status: number;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface HttpTransport {
  /**
   * Sends one request. Rejects with a QianfanError of kind 'network', 'tooLarge' or
   * 'badResponse' (a truncated body), or with the signal's reason when it aborts.
   */
  send(request: HttpRequest): Promise<HttpResponse>;
}
