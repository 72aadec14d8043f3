/* SIT PLADECO Vallenar: the map's filtered part, read from the page around the map's frame.
 *
 * layers/map.py inlines this file in the Mapa map (it is not fetched). The map itself never
 * changes with the filters, so streamlit-folium's component receives the same arguments on
 * every run and Streamlit sends them only once (later runs send a reference to what the
 * browser already has). What does change, each territory's [count, colour] and the bitset
 * of the initiatives to show, travels beside the map as a style element of the page that
 * holds it as JSON in a CSS comment and takes no room (layers.map.selection_html, shown by
 * ui/plan_map.py), and is read here: once when the map starts, then whenever the page
 * changes. streamlit-folium's own way, feature_group_to_add, sent the whole map again with
 * every filter change (0.2 MB at 1,000 initiatives, 0.45 MB at 10,000; bench/README.md,
 * 2026-12-02).
 *
 * A standalone document (tests, the benchmark's HTML) carries its selection inline.
 */
(function () {
    "use strict";
    if (window.sitSelection) { return; }
    var SELECTOR = "style[data-sit-selection]";
    var target = null;
    var applied = null;  // the text of the selection on the map now

    /* The text of the page's selection (the JSON inside the style's comment), or null. */
    function read() {
        var el = window.parent.document.querySelector(SELECTOR);
        if (!el) { return null; }
        var text = el.textContent, start = text.indexOf("/*"), end = text.lastIndexOf("*/");
        return start < 0 || end < start ? null : text.slice(start + 2, end);
    }

    function apply(text) {
        if (!target || text === null || text === applied) { return; }
        var sel = JSON.parse(text);
        // A selection of other data (the page is already drawing a newer map): not this map's.
        if (sel.initiatives !== target.initiatives || sel.territories !== target.territories) { return; }
        applied = text;
        window.sitTerritories.show(target.territories, sel.shading, target.shaded);
        window.sitInitiatives.show(target.initiatives, sel.bits, target.located, target.attribute,
                                   target.waiting);
    }

    window.sitSelection = {
        /* ``t``: {territories, initiatives (the stores' signatures), shaded, located (the
         * feature groups they are shown in), attribute, waiting}; ``inline``: the selection's
         * text in a standalone document (null: read it from the page around the frame). */
        attach: function (t, inline) {
            target = t;
            if (inline !== null) {
                apply(inline);
                return;
            }
            var observer = new MutationObserver(function () {
                try {
                    apply(read());
                } catch (e) {
                    observer.disconnect();  // the frame left its page
                }
            });
            try {
                apply(read());
                observer.observe(window.parent.document.body,
                                 {childList: true, subtree: true, characterData: true});
            } catch (e) {
                console.error("sitSelection: the page around the map cannot be read", e);
            }
        }
    };
})();
