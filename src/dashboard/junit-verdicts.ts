import type { Verdict } from "../measurements/measurement.js";

const TESTCASE = /<testcase\b([^>]*?)(?:\/>|>([\s\S]*?)<\/testcase>)/g;
const FAILURE = /<(?:failure|error)\b[^>]*?\bmessage="([^"]*)"/;

/**
 * The verdicts of a junit.xml, one per testcase: ClusterLoader2 writes no summary.json, so for its runs this
 * is where pass or fail comes from. Only the attributes both ClusterLoader2 and kubemark write are read.
 */
export function junitVerdicts(xml: string): Verdict[] {
  const verdicts: Verdict[] = [];
  for (const [, attributes, body] of xml.matchAll(TESTCASE)) {
    const name = /\bname="([^"]*)"/.exec(attributes!)?.[1];
    if (name === undefined) continue;
    const failure = body === undefined ? undefined : FAILURE.exec(body);
    verdicts.push({
      name: unescapeXml(name),
      pass: !failure,
      message: failure ? unescapeXml(failure[1]!) : "passed",
    });
  }
  return verdicts;
}

function unescapeXml(value: string): string {
  return (
    value
      .replace(/&lt;/g, "<")
      .replace(/&gt;/g, ">")
      .replace(/&quot;/g, '"')
      .replace(/&apos;/g, "'")
      // Go's encoding/xml, which ClusterLoader2 writes with, uses numeric references such as &#34; and &#xA;.
      .replace(/&#(\d+|x[0-9a-f]+);/gi, (_, code: string) => String.fromCodePoint(Number(`0${code}`)))
      .replace(/&amp;/g, "&")
  );
}
