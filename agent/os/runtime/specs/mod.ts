/**
 * The built-in runtime specs, embedded so the bundled and compiled agent has them (a bundle is one file: the
 * .yaml files beside this one are not shipped with it). Each text is its .yaml file verbatim; builtin_test.ts
 * checks they agree. Edit the .yaml file, then paste it here.
 */
export const BUILTIN_SPECS: Readonly<Record<string, string>> = {
  "python-3.11.yaml":
    `# Python 3.11 from Debian 12 (bookworm): the python3 package is 3.11.2 there (apt-cache policy python3).
name: python-3.11
version: "3.11"
language: python
description: Python 3.11 interpreter and standard library (Debian's python3)
packages: [python3]
etc: [/etc/python3.11]
env:
  PATH: /usr/local/bin:/usr/bin:/bin
  PYTHONDONTWRITEBYTECODE: "1"
  PYTHONUNBUFFERED: "1"
test: python3 -c 'import sys; assert sys.version_info[:2] == (3, 11), sys.version; print("python", sys.version.split()[0])'
`,
};
