/**
 * A self-signed RSA key and certificate generated once with openssl for tests only
 * (`openssl req -x509 -newkey rsa:2048 -nodes -days 36500`), first for the Textract fake. The
 * fakes of AWS packages sign SNS messages with the key; a verifier trusts the certificate only
 * through `trustCertificate` / `trustedCertificates`.
 * Never trusted by default: no production code path knows this certificate.
 */

/** URL a fake puts in `SigningCertURL` for the SNS test certificate (an SNS host, so it passes the verifier's host check). @public */
export const SNS_TEST_SIGNING_CERT_URL = "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-connect-test.pem";

/** PEM of the test signing certificate. @public */
export const SNS_TEST_SIGNING_CERT_PEM = `-----BEGIN CERTIFICATE-----
MIIDaTCCAlGgAwIBAgIUeI6lZ0vH88uXGgXd5KrJzgTCoJEwDQYJKoZIhvcNAQEL
BQAwQzFBMD8GA1UEAww4c25zLnVzLWVhc3QtMS5hbWF6b25hd3MuY29tIHRlc3Qg
KGNvbm5lY3QgdGV4dHJhY3QgZmFrZSkwIBcNMjYxMTI0MTIyMzA0WhgPMjEyNjEw
MzExMjIzMDRaMEMxQTA/BgNVBAMMOHNucy51cy1lYXN0LTEuYW1hem9uYXdzLmNv
bSB0ZXN0IChjb25uZWN0IHRleHRyYWN0IGZha2UpMIIBIjANBgkqhkiG9w0BAQEF
AAOCAQ8AMIIBCgKCAQEAtHyhcO3JL1NLroVmom2nsL9+Ex7KDroiNCdq3TkZFODN
CYbbZp2xL/K2kLgyiurPt0kMNGtxjXbZJjOE7UB+jxvuiE24lGTi2WnmbQc/OyFV
yC5omeaQnGFda6pXQz30SbqAGKiVfeEZ8OfnAoZFcAuWUctWsgCaLGCXdhF7EUPZ
g1smhzyJidzUTXfm3NZneKHcKv3p6ojLmmnQx3u4e6cKygkAs8CTLO1UB1wbtneI
hwCDMoTKN/xW/hC2ViUjzyei8wQ7ZH9L+R59s7zsDLCAFxx6tHy+BnmZahsA3z4q
h/G3UasVody741bnYPZdwC1LmrkD2vTLbYRWk9CK1QIDAQABo1MwUTAdBgNVHQ4E
FgQUFJ2fjjmv2+NGmAbUGPWJaehw86owHwYDVR0jBBgwFoAUFJ2fjjmv2+NGmAbU
GPWJaehw86owDwYDVR0TAQH/BAUwAwEB/zANBgkqhkiG9w0BAQsFAAOCAQEAUknL
qlyfw8DrrrLkDeS/eCUaFGo2iFQgvBvcVRAzptbDZ4ABjI58QxFK4RHzHtHZWvMB
jPV4jPeqqhIlF3Xm//7Lu+XMhho9O+Uj6/pGQ7olNYq2FRzakWiP8F6SGxX/A2Cw
/45cQnTRjPa3u7DfOHttMu8lir05V9tdtFhZPoHd+yPAEAT+aCelvfHrkGOL/yD3
LZHA0o9tmCr35BNJyygNeKGSHBel9gpSN8+sfTNQ4raIRGB1wKJLqaEUDSNwj+3Y
8uXmTYGAiiZ7lZBxSgzJ2I0iGrASV0LbOWZPmeXBakfL9hSrB9Ij8jZuG7yFnvXe
fqvPgLlBiablc7PfMg==
-----END CERTIFICATE-----
`;

/** PEM of the test signing key (test-only; publicly known). @public */
export const SNS_TEST_SIGNING_KEY_PEM = `-----BEGIN PRIVATE KEY-----
MIIEvwIBADANBgkqhkiG9w0BAQEFAASCBKkwggSlAgEAAoIBAQC0fKFw7ckvU0uu
hWaibaewv34THsoOuiI0J2rdORkU4M0JhttmnbEv8raQuDKK6s+3SQw0a3GNdtkm
M4TtQH6PG+6ITbiUZOLZaeZtBz87IVXILmiZ5pCcYV1rqldDPfRJuoAYqJV94Rnw
5+cChkVwC5ZRy1ayAJosYJd2EXsRQ9mDWyaHPImJ3NRNd+bc1md4odwq/enqiMua
adDHe7h7pwrKCQCzwJMs7VQHXBu2d4iHAIMyhMo3/Fb+ELZWJSPPJ6LzBDtkf0v5
Hn2zvOwMsIAXHHq0fL4GeZlqGwDfPiqH8bdRqxWh3LvjVudg9l3ALUuauQPa9Mtt
hFaT0IrVAgMBAAECggEAAQFvw3AQiD+4nHqR5l/h7w45SHR9T9GYLRe27lzqB5yA
CY7mv1hFSDao1aVJ4zQo0tHb0rMljd75zNvWugN7VDzlpzAQ3vZkvPoS01kwVqba
WKdV8Sn6DmQzFjPVaojyFaYUUbunIS1e2ZS4ZaJ0L31h1nqH6C2wlJ43wdJNNmNB
HilGpNm1GOMOtqlfvddX01+GkcFiGcIR7yKvelafdax6b+g7069D6F9OmzSShres
KdmCRQM+0KHW3Yaac2ziib+U9z8k4sAr8uoAlOpOfqCPm0CDm7VgT8p/59gbM/Ie
9X+bUsIQ7/OfMxJ2/SfADI5HkPw2ySFjMSIx4NMbOQKBgQD6NPEXgqAlEF8s+sa0
61EbWJo08KhyXxeAfjSXG2trq5Q2mRE8BwDo8reoN89luYMftoOiqzOW3DB5emNI
nhGRokk5QMi0VEgWmhmjYnRSbHKSCl0kpaKA89xu70bQy/eI2eVEnwXGVVSk+G8B
kOud5V6pi1kgJFHh7z5QpsUVnQKBgQC4qm+GAhYIJWSN9yy5NN7QTX596ZFD2JUE
25/ir6x3prfbG24WRJLNFHIwhE2yUIZIaK1O7xEaNJpV6iCh9vA6IZE/t2nhpZNv
pBwYvI6qkYPoyFesjj/8hquKW2l8Nhpa22XJIX6CFHBJeETaeeL+vNDcai2tayYR
nY0Ry68gmQKBgQDyyfCwqZaQoKRaVzX+VOGtMXrhqC0sXk3F57FMd9Ty89msaTeq
Efm2EeBZIV7lDPDKEycE8C/tUdjP6AzzaD8QHHQFVHHtWmNhW0NJob3SRV2fjOL5
LqjTjM737sO+1E1sxFOPFOhbnm22b0P4NxILc4k55/giElxKawcC5/ESmQKBgQCG
rd7aWGkjFcppc4zNoo6iUvJe+Fq2pZ3BRkAsfr0FIrVSeoXmfaqnITNKySM1Wl8l
Lhq/x8GsYBLzd+bG2SdI7jRVyPnS1QRbVtAbBmHyamBPBNZUhgaKsNko9hRPv9Gm
0/4/G0t9qVRfcPSedmikKqcVKecYZF4GWOaKxQd7eQKBgQDTOLvYe6OPSikLUti+
gf2h0ua7ZUaOkoUEPj2PcOLX9GaU6hFl0CNCk1AgV9lSmx1ldWXTxsMzsueOhoea
+OF4Fs99oDwwhho+ne0K+JwayOLjU/652lJqGp/GCa2nrqqqQqXfE9o9cZIK1OyP
hvPc/3TdMj4A51gxTG8d472bnA==
-----END PRIVATE KEY-----
`;
