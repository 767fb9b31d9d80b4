/**
 * The built-in runtime specs, embedded so the bundled and compiled agent has them (a bundle is one file: the
 * .yaml files beside this one are not shipped with it). Each text is its .yaml file verbatim; builtin_test.ts
 * checks they agree. Edit the .yaml file, then paste it here.
 */
export const BUILTIN_SPECS: Readonly<Record<string, string>> = {
  "openjdk-17.yaml":
    `# OpenJDK 17 from Debian 12 (bookworm): openjdk-17-jdk-headless (17.0.x; bookworm has no openjdk-21).
# The links are what the JDK's postinst makes with update-alternatives; ca-certificates-java's keystore
# (/etc/ssl/certs/java/cacerts) is made at install by the runtime's own java (agent/os/runtime/maintainer.ts).
name: openjdk-17
version: "17"
language: java
description: OpenJDK 17 JDK, headless (Debian's openjdk-17-jdk-headless), javac and java
packages: [openjdk-17-jdk-headless, ca-certificates-java]
etc: [/etc/java-17-openjdk]
links:
  /usr/lib/jvm/java-17-openjdk: /usr/lib/jvm/java-17-openjdk-*
  /usr/bin/: /usr/lib/jvm/java-17-openjdk-*/bin/*
env:
  PATH: /usr/local/bin:/usr/bin:/bin
  JAVA_HOME: /usr/lib/jvm/java-17-openjdk
test: |
  cd /tmp && printf '%s\\n' 'public class Hello {' \\
    '  public static void main(String[] args) throws Exception {' \\
    '    var f = javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());' \\
    '    f.init((java.security.KeyStore) null);' \\
    '    int cas = ((javax.net.ssl.X509TrustManager) f.getTrustManagers()[0]).getAcceptedIssuers().length;' \\
    '    String v = System.getProperty("java.version");' \\
    '    System.out.println("java " + v + ", " + cas + " CA certificates");' \\
    '    if (!v.startsWith("17.") || cas < 100) System.exit(1);' \\
    '  }' \\
    '}' > Hello.java && javac Hello.java && java -cp . Hello
`,
  "python-3.11-ml.yaml":
    `# Python 3.11 with the scientific stack, all from Debian 12 (bookworm) packages (apt-cache policy, 2025):
# python3-numpy 1.24.2, python3-pandas 1.5.3, python3-scipy 1.10.1, python3-sklearn 1.2.1,
# python3-matplotlib 3.6.3. The smoke test prints the versions really installed.
name: python-3.11-ml
version: "3.11"
language: python
description: Python 3.11 with numpy 1.24, pandas 1.5, scipy 1.10, scikit-learn 1.2, matplotlib 3.6 (Debian's)
packages: [python3, python3-numpy, python3-pandas, python3-scipy, python3-sklearn, python3-matplotlib]
etc: [/etc/python3.11, /etc/matplotlibrc]
env:
  PATH: /usr/local/bin:/usr/bin:/bin
  PYTHONDONTWRITEBYTECODE: "1"
  PYTHONUNBUFFERED: "1"
  MPLBACKEND: Agg
  MPLCONFIGDIR: /tmp/matplotlib
test: >-
  python3 -c 'import sys, numpy, pandas, scipy, sklearn, matplotlib;
  assert sys.version_info[:2] == (3, 11), sys.version;
  print("python", sys.version.split()[0], *(m.__name__ + " " + m.__version__ for m in (numpy, pandas, scipy, sklearn, matplotlib)))'
`,
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
