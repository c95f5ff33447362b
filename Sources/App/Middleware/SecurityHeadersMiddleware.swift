import Hummingbird

/// Security headers on every response, the console's pages and the API alike (DESIGN.md §1): scripts,
/// styles and connections from this origin only, no content sniffing, no referrer, and no framing — except
/// the chat widget's page, whose purpose is to be framed by the bot owner's site.
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    static var policy: String {
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
            + "object-src 'none'; base-uri 'none'; form-action 'self'"
    }

    static var widgetPath: String { "/widget.html" }

    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws
        -> Response
    {
        // Outside ErrorMiddleware: errors have become responses by the time they pass here.
        var response = try await next(request, context)
        let framed = request.uri.path == Self.widgetPath
        response.headers[.contentSecurityPolicy] =
            Self.policy + (framed ? "; frame-ancestors *" : "; frame-ancestors 'none'")
        if !framed { response.headers[.init("X-Frame-Options")!] = "DENY" }
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.init("Referrer-Policy")!] = "no-referrer"
        return response
    }
}
