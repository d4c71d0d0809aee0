// Lays out XHTML pages in headless Chromium at a given width and reports what sticks out.
//
//   node reflow.js <width> <screenshot-dir or -> <page.xhtml>...
//
// One browser for every page. Headless Chromium will not make a window narrower than 500 px,
// so the root element is pinned to <width> CSS px and the boxes are measured: the right edge
// of every element and of every line of text (Range client rects), and each element's
// scrollWidth. Content inside an element that scrolls by itself (overflow-x: auto/scroll) only
// counts through that element's own box. Prints one JSON object:
// {page: {width, bodyScrollWidth, bodyClientWidth, right, overflows: [{what, right}]}}.
const path = require("path");
const puppeteer = require("puppeteer");

async function main() {
  const [width, shots, ...pages] = process.argv.slice(2);
  const w = parseInt(width, 10);
  const browser = await puppeteer.launch({
    executablePath: process.env.PUPPETEER_EXECUTABLE_PATH || "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--allow-file-access-from-files", "--font-render-hinting=none"],
  });
  const result = {};
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: Math.max(w, 500), height: 900, deviceScaleFactor: 1 });
    for (const file of pages) {
      await page.goto("file://" + path.resolve(file), { waitUntil: "load" });
      result[file] = await page.evaluate((w) => {
        const root = document.documentElement;
        root.style.setProperty("width", w + "px", "important");
        root.style.setProperty("max-width", w + "px", "important");
        root.style.setProperty("overflow-x", "visible", "important");
        const limit = w + 0.5;
        const overflows = [];
        const scrolls = (el) => {
          const o = getComputedStyle(el).overflowX;
          return el !== root && el !== document.body && (o === "auto" || o === "scroll" || o === "hidden");
        };
        const clipped = (node) => {
          for (let p = node.parentElement; p; p = p.parentElement) if (scrolls(p)) return true;
          return false;
        };
        const describe = (el) => {
          let s = el.tagName.toLowerCase();
          if (el.id) s += "#" + el.id;
          if (el.className && typeof el.className === "string") s += "." + el.className.split(/\s+/).join(".");
          return s;
        };
        for (const el of document.body.querySelectorAll("*")) {
          if (clipped(el)) continue;
          const r = el.getBoundingClientRect();
          if (r.width && r.right > limit) overflows.push({ what: describe(el), right: r.right });
          else if (!scrolls(el) && el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0)
            overflows.push({ what: describe(el) + " (content wider than its box)", right: el.scrollWidth });
        }
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        const range = document.createRange();
        while (walker.nextNode()) {
          const t = walker.currentNode;
          if (!t.data.trim() || clipped(t)) continue;
          range.selectNodeContents(t);
          for (const rect of range.getClientRects()) {
            if (rect.right > limit) {
              overflows.push({ what: "text " + JSON.stringify(t.data.trim().slice(0, 60)), right: rect.right });
              break;
            }
          }
        }
        let right = 0;
        for (const el of document.body.querySelectorAll("*")) {
          if (!clipped(el)) right = Math.max(right, el.getBoundingClientRect().right);
        }
        return { width: w, bodyScrollWidth: document.body.scrollWidth, bodyClientWidth: document.body.clientWidth,
                 right: right, overflows: overflows.slice(0, 20) };
      }, w);
      if (shots !== "-") {
        const name = path.basename(path.dirname(path.dirname(file))) + "-" + path.basename(file, ".xhtml") + "-" + w + ".png";
        await page.screenshot({ path: path.join(shots, name), fullPage: true, clip: undefined });
      }
    }
  } finally {
    await browser.close();
  }
  process.stdout.write(JSON.stringify(result) + "\n");
}

main().catch((err) => {
  process.stderr.write(String(err && err.stack || err) + "\n");
  process.exit(2);
});
