import Hummingbird

/// Security headers on every response, the console's pages and the API alike (DESIGN.md §1): scripts,
/// styles and connections from this origin only, no content sniffing, no referrer, and no framing — except
/// the chat widget's page, whose purpose is to be framed by the bot owner's site.
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws
        -> Response
    {
        // Outside ErrorMiddleware: errors have become responses by the time they pass here.
        var response = try await next(request, context)
        let headers = request.uri.path == SecurityHeaders.widgetPath ? SecurityHeaders.framable : SecurityHeaders.all
        response.headers.append(contentsOf: headers)
        return response
    }
}

/// The headers, built once (a generic middleware cannot hold static stored properties).
enum SecurityHeaders {
    static let widgetPath = "/widget.html"
    private static let policy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "object-src 'none'; base-uri 'none'; form-action 'self'"
    private static let common: HTTPFields = [
        .xContentTypeOptions: "nosniff",
        .init("Referrer-Policy")!: "no-referrer",
    ]
    static let all: HTTPFields =
        common + [
            .contentSecurityPolicy: policy + "; frame-ancestors 'none'",
            .init("X-Frame-Options")!: "DENY",
        ]
    static let framable: HTTPFields = common + [.contentSecurityPolicy: policy + "; frame-ancestors *"]
}
