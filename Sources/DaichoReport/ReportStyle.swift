// The report's only stylesheet, inline: system fonts (nothing fetched), dark on white, A4 print with a page per
// panel and charts never split across pages.

enum ReportStyle {
    static let css = """
    @page { size: A4; margin: 14mm 12mm 16mm; }
    * { box-sizing: border-box; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
    html { color: #111; background: #fff; }
    body { font-family: "Noto Sans CJK JP", "Hiragino Sans", "Hiragino Kaku Gothic ProN", "Yu Gothic", "Meiryo", sans-serif;
      font-size: 10.5pt; line-height: 1.5; margin: 0 auto; max-width: 186mm; padding: 6mm 4mm; }
    h1 { font-size: 22pt; margin: 4mm 0 2mm; }
    h2 { font-size: 15pt; margin: 0 0 2mm; border-bottom: 2px solid #1f4e79; padding-bottom: 1mm; }
    h3 { font-size: 11.5pt; margin: 4mm 0 1mm; }
    .title-page { break-after: page; page-break-after: always; }
    .title-page .product { font-size: 30pt; font-weight: bold; color: #1f4e79; margin: 6mm 0 0; }
    h2, h3, .reading, .figures { break-after: avoid; page-break-after: avoid; }
    .title-page .period { font-size: 14pt; margin: 0 0 8mm; }
    .title-page dl { display: grid; grid-template-columns: max-content 1fr; gap: 1.5mm 8mm; margin: 0 0 8mm; }
    .title-page dt { color: #444; }
    .title-page dd { margin: 0; font-weight: bold; overflow-wrap: anywhere; }
    .title-page nav h2 { font-size: 12pt; border: 0; }
    .contents { list-style: none; padding: 0; }
    .contents a { color: #111; text-decoration: none; }
    .panel { break-before: page; page-break-before: always; }
    .panel.quiet { break-before: auto; page-break-before: auto; margin-top: 8mm; }
    .reading { font-weight: bold; margin: 1mm 0 3mm; }
    .figures { margin: 1mm 0 2mm; }
    .note, figcaption { color: #444; font-size: 9pt; margin: 1mm 0; }
    figure { margin: 0 0 3mm; break-inside: avoid; page-break-inside: avoid; }
    svg { display: block; width: 100%; height: auto; }
    svg text { font-size: 10px; fill: #333; }
    .grid { fill: none; stroke: #dcdcdc; stroke-width: 0.6; }
    .axis { fill: none; stroke: #555; stroke-width: 0.8; }
    .line { fill: none; stroke-width: 1.6; stroke-linejoin: round; stroke-linecap: round; }
    .signed { stroke-width: 2; stroke-dasharray: 5 2; }
    .light { opacity: 0.45; }
    .missing { fill: none; stroke: #bbb; stroke-dasharray: 3 3; }
    .yl, .bl { text-anchor: end; dominant-baseline: middle; }
    .bl, .bv { dominant-baseline: auto; }
    .yr { text-anchor: start; dominant-baseline: middle; }
    .xl, .cc, .cr { text-anchor: middle; }
    svg .cc { font-size: 13px; font-weight: bold; }
    svg .on-dark { fill: #fff; }
    svg .at { font-size: 10.5px; fill: #111; }
    .legend { list-style: none; display: flex; flex-wrap: wrap; gap: 1mm 5mm; padding: 0; margin: 1mm 0; font-size: 9pt; }
    .swatch { display: inline-block; width: 3mm; height: 3mm; margin-right: 1.5mm; vertical-align: -0.3mm; }
    .empty { border: 1px dashed #888; padding: 10mm; text-align: center; color: #333; font-size: 12pt; }
    table { border-collapse: collapse; width: 100%; font-size: 8.5pt; margin: 2mm 0 4mm; }
    caption { text-align: left; color: #444; font-size: 8.5pt; }
    thead { display: table-header-group; }
    tr { break-inside: avoid; page-break-inside: avoid; }
    th, td { border-bottom: 0.5pt solid #bbb; padding: 0.6mm 2mm; text-align: left; vertical-align: top; }
    th { background: #eef2f6; }
    .n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
    tr.total td { font-weight: bold; border-top: 0.8pt solid #555; }
    @media print { .title-page .product { margin-top: 40mm; } }
    @media screen { html { background: #eceff2; } body { background: #fff; margin: 6mm auto; padding: 10mm 12mm; }
      .panel { border-top: 1px solid #ccc; padding-top: 8mm; margin-top: 8mm; } }
    """
}
