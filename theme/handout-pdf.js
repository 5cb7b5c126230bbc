// The printed handout only (ci/handout-prepare.py links this file into
// handout-*.html; the website never loads it). Runs after mdBook has
// highlighted the code, before Chromium prints:
// - every code line becomes a block of its own whose continuation lines,
//   when a long line wraps, start under the line's own indentation (plus
//   two columns), instead of at the left edge;
// - a token with a hyphen or `::` (`--exact`, `a::b::c`) never breaks
//   inside: lines break at spaces.
(function () {
  "use strict";

  // Splits a highlighted <code> into lines, copying the highlight spans
  // that cross a line end onto both sides.
  function splitLines(code) {
    const lines = [[]];
    function walk(node, wrappers) {
      if (node.nodeType === Node.TEXT_NODE) {
        node.textContent.split("\n").forEach(function (part, i) {
          if (i > 0) lines.push([]);
          if (part === "") return;
          let piece = document.createTextNode(part);
          for (let w = wrappers.length - 1; w >= 0; w--) {
            const copy = wrappers[w].cloneNode(false);
            copy.appendChild(piece);
            piece = copy;
          }
          lines[lines.length - 1].push(piece);
        });
      } else if (node.nodeType === Node.ELEMENT_NODE) {
        Array.from(node.childNodes).forEach(function (child) {
          walk(child, wrappers.concat([node]));
        });
      }
    }
    Array.from(code.childNodes).forEach(function (child) {
      walk(child, []);
    });
    if (lines.length > 1 && lines[lines.length - 1].length === 0) lines.pop();
    return lines;
  }

  // Wraps tokens that hold `-` or `::` in a non-breaking span.
  function keepTokensWhole(root) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    const texts = [];
    while (walker.nextNode()) texts.push(walker.currentNode);
    texts.forEach(function (text) {
      const parts = text.textContent.split(/(\s+)/);
      const keep = function (p) { return /-|::/.test(p) && p.length <= 60; };
      if (!parts.some(keep)) return;
      const frag = document.createDocumentFragment();
      parts.forEach(function (p) {
        if (/-|::/.test(p) && p.length <= 60 && !/\s/.test(p)) {
          const span = document.createElement("span");
          span.className = "tok";
          span.textContent = p;
          frag.appendChild(span);
        } else if (p !== "") {
          frag.appendChild(document.createTextNode(p));
        }
      });
      text.parentNode.replaceChild(frag, text);
    });
  }

  function layOut() {
    document.querySelectorAll("pre > code").forEach(function (code) {
      const lines = splitLines(code);
      code.textContent = "";
      lines.forEach(function (nodes) {
        const line = document.createElement("span");
        line.className = "code-line";
        nodes.forEach(function (n) { line.appendChild(n); });
        const indent = (line.textContent.match(/^ */) || [""])[0].length;
        line.style.paddingLeft = (indent + 2) + "ch";
        line.style.textIndent = "-" + (indent + 2) + "ch";
        // A line of nothing but hidden (`boring`) code stays hidden.
        const hidden = nodes.length > 0 && nodes.every(function (n) {
          return n.nodeType === Node.ELEMENT_NODE &&
            n.classList.contains("boring");
        });
        if (hidden) line.style.display = "none";
        if (nodes.length === 0) {
          // An empty line keeps its height.
          line.appendChild(document.createTextNode("\u200b"));
        }
        code.appendChild(line);
      });
      keepTokensWhole(code);
    });
  }

  if (document.documentElement.dataset.handout) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", layOut);
    } else {
      layOut();
    }
  }
})();
