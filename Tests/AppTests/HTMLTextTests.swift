import Testing

@testable import App

/// HTML → text through libxml2's HTML parser.
@Suite struct HTMLTextTests {
    @Test func scriptsStylesAndTheHeadAreDroppedButTheTitleIsKept() {
        let page = HTMLText(
            html: Array(
                "<html><head><title> A   page </title><script>alert(1)</script></head><body><style>b{}</style>Body</body></html>"
                    .utf8
            )
        )
        #expect(page.title == "A page")
        #expect(page.text == "Body")
    }

    @Test func entitiesAndCharacterReferencesAreDecoded() {
        let page = HTMLText(html: Array("<p>&lt;tag&gt; &amp; &quot;q&quot; &#x2014; &eacute;&#233;</p>".utf8))
        #expect(page.text == "<tag> & \"q\" — éé")
    }

    @Test func blocksBecomeParagraphsInlineWhiteSpaceCollapsesAndBreaksAreLines() {
        let page = HTMLText(
            html: Array(
                "<div>One <b>bold</b>\n   word</div><p>Two<br>lines</p><table><tr><td>a</td><td>b</td></tr></table>"
                    .utf8
            )
        )
        #expect(page.text == "One bold word\n\nTwo\nlines\n\na b")
    }

    @Test func preformattedTextKeepsItsWhiteSpace() {
        let page = HTMLText(html: Array("<pre>let x = 1\n    return x</pre>".utf8))
        #expect(page.text == "let x = 1\n    return x")
    }

    @Test func brokenMarkupIsRepairedNotRejected() {
        let page = HTMLText(html: Array("<p>Unclosed <i>italic<p>Next &unknown; <div>x".utf8))
        #expect(page.text == "Unclosed italic\n\nNext &unknown;\n\nx")
    }

    @Test func theDeclaredCharsetIsHonoured() {
        let latin1: [UInt8] = Array("<p>caf".utf8) + [0xE9] + Array("</p>".utf8)
        #expect(HTMLText(html: latin1, charset: "ISO-8859-1").text == "café")
    }

    @Test func emptyInputIsEmptyText() {
        #expect(HTMLText(html: []).text == "")
    }
}
