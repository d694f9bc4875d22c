// "Copy prompt" buttons: copies the text of the element named by data-copy and says so in a live region.
(function () {
    "use strict";
    var status = document.getElementById("copy-status");
    function say(text) { if (status) { status.textContent = text; } }

    document.addEventListener("click", function (event) {
        var button = event.target instanceof Element ? event.target.closest("button[data-copy]") : null;
        if (!button) { return; }
        var source = document.getElementById(button.getAttribute("data-copy"));
        if (!source) { return; }
        var label = button.getAttribute("data-copy-label") || "the prompt";
        var original = button.textContent;
        function done(text) {
            say(text);
            button.textContent = text;
            window.setTimeout(function () { button.textContent = original; }, 2000);
        }
        if (navigator.clipboard && window.isSecureContext) {
            navigator.clipboard.writeText(source.textContent || "").then(
                function () { done("Copied " + label); },
                function () { selectText(source); done("Selected " + label + ": press Ctrl+C"); });
        } else {
            selectText(source);
            done("Selected " + label + ": press Ctrl+C");
        }
    });

    function selectText(element) {
        var details = element.closest("details");
        if (details) { details.open = true; }
        var range = document.createRange();
        range.selectNodeContents(element);
        var selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
    }
})();
