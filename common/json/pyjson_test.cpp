#include <catch2/catch.hpp>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <stdexcept>
#include <string>

#include <boost/json.hpp>

#include "json/pyjson.hpp"

using amarcord::json::append_python_float;
using amarcord::json::python_float;
using amarcord::json::serialize_to;

namespace {
// amarcord::json::serialize, qualified: ADL would also find boost::json::serialize.
std::string dumps(const boost::json::value& v) {
  return amarcord::json::serialize(v);
}
}  // namespace

TEST_CASE("python_float matches CPython repr for the documented examples", "[pyjson]") {
  CHECK(python_float(1500.0) == "1500.0");
  CHECK(python_float(0.1) == "0.1");
  CHECK(python_float(0.1 + 0.2) == "0.30000000000000004");
  CHECK(python_float(1e-05) == "1e-05");
  CHECK(python_float(0.0001) == "0.0001");
  CHECK(python_float(1e16) == "1e+16");
  CHECK(python_float(1e15) == "1000000000000000.0");
  CHECK(python_float(1.5e16) == "1.5e+16");
  CHECK(python_float(-0.0) == "-0.0");
  CHECK(python_float(0.0) == "0.0");
  CHECK(python_float(5e-324) == "5e-324");
  CHECK(python_float(1.7976931348623157e308) == "1.7976931348623157e+308");
  CHECK(python_float(-1.7976931348623157e308) == "-1.7976931348623157e+308");
  CHECK(python_float(123456789.125) == "123456789.125");
  CHECK(python_float(-2.5e-7) == "-2.5e-07");
  CHECK(python_float(0.5) == "0.5");
  CHECK(python_float(100.0) == "100.0");
  CHECK(python_float(1e22) == "1e+22");
  CHECK(python_float(1.0) == "1.0");
  CHECK(python_float(-1.0) == "-1.0");
  CHECK(python_float(2.2250738585072014e-308) == "2.2250738585072014e-308");
  CHECK(python_float(1e-7) == "1e-07");
  CHECK(python_float(-1e-300) == "-1e-300");
  CHECK(python_float(0.000123456) == "0.000123456");
  CHECK(python_float(1.0 / 3.0) == "0.3333333333333333");
  CHECK(python_float(9007199254740992.0) == "9007199254740992.0");
  CHECK(python_float(9223372036854775808.0) == "9.223372036854776e+18");
  CHECK(python_float(12345678901234567.0) == "1.2345678901234568e+16");
  CHECK(python_float(4.35) == "4.35");
  CHECK(python_float(1e100) == "1e+100");
}

TEST_CASE("python_float matches CPython repr for a table of values", "[pyjson]") {
  // Bit patterns and repr() strings produced by CPython 3.11 (random values
  // across the fixed/scientific boundaries plus random bit patterns).
  struct Case {
    std::uint64_t bits;
    const char* repr;
  };
  static constexpr Case kCases[] = {
      {0x3e697fc57f0adf6aULL, "4.749578852908071e-08"},
      {0x3e4768569f81b792ULL, "1.0900000000000002e-08"},
      {0x3e7758039cddb75aULL, "8.696245076624342e-08"},
      {0x3e7934c24502953cULL, "9.390000000000001e-08"},
      {0x3e705bd0c04606c9ULL, "6.094073518559751e-08"},
      {0x3e55798ee2308c3aULL, "2e-08"},
      {0x3e77cdbf3e1004c1ULL, "8.867569036010104e-08"},
      {0x3e61b77c47680d49ULL, "3.3e-08"},
      {0x3ea5d48bcbe3db79ULL, "6.505923904322011e-07"},
      {0x3e9421f5f40d8376ULL, "3e-07"},
      {0x3ea3647427db64d0ULL, "5.779384790418743e-07"},
      {0x3ea9903dde03973eULL, "7.6185e-07"},
      {0x3ea292e35c258391ULL, "5.535418312990337e-07"},
      {0x3e8ad7f29abcaf48ULL, "2e-07"},
      {0x3e922f4d5087840bULL, "2.7097424084963834e-07"},
      {0x3e9ad7f29abcaf48ULL, "4e-07"},
      {0x3ed583cf1aa736edULL, "5.129546858785003e-06"},
      {0x3eb4d57d8a144c85ULL, "1.2418e-06"},
      {0x3ee4924445327c32ULL, "9.809186087670911e-06"},
      {0x3ee0c6f7a0b5ed8dULL, "8e-06"},
      {0x3eb1c8ec0603f566ULL, "1.0600597520332515e-06"},
      {0x3edd5c31593e5fb7ULL, "7e-06"},
      {0x3ee0a56aefc17f59ULL, "7.937509046651298e-06"},
      {0x3ec92a737110e454ULL, "3e-06"},
      {0x3f12044cd4e75e85ULL, "6.872862761697115e-05"},
      {0x3ef47a8b61728bb9ULL, "1.953e-05"},
      {0x3efba0f6317c3883ULL, "2.6348835574778906e-05"},
      {0x3f06f0068db8bac8ULL, "4.3750000000000006e-05"},
      {0x3f10aecc47e34dcaULL, "6.363984900597318e-05"},
      {0x3f182b6ff052e3d4ULL, "9.220000000000002e-05"},
      {0x3f15a9f52468c598ULL, "8.264120797531747e-05"},
      {0x3f0034ab835102d3ULL, "3.091000000000001e-05"},
      {0x3f3350f4e9fdf1c8ULL, "0.00029474238726104026"},
      {0x3f4aed00c9d474e2ULL, "0.00082171"},
      {0x3f47070033e291d4ULL, "0.0007027388562801892"},
      {0x3f35c209246bf013ULL, "0.000332"},
      {0x3f428f6fe9299634ULL, "0.0005664154471786754"},
      {0x3f50624dd2f1a9fcULL, "0.001"},
      {0x3f5015f7af9c80c2ULL, "0.000981799965707395"},
      {0x3f3a36e2eb1c432dULL, "0.0004"},
      {0x3f634573279d1093ULL, "0.0023524521938345726"},
      {0x3f69157abb8800ebULL, "0.003062"},
      {0x3f70b3c7c3cb9d37ULL, "0.004077701884603705"},
      {0x3f70624dd2f1a9fcULL, "0.004"},
      {0x3f57a80ad61d444eULL, "0.0014438730072081798"},
      {0x3f7cac083126e979ULL, "0.007"},
      {0x3f726726bc642183ULL, "0.004492904007073031"},
      {0x3f80cb295e9e1b08ULL, "0.008199999999999999"},
      {0x3fb4bc0fdfb6b683ULL, "0.08099459850083161"},
      {0x3fb45a1cac083127ULL, "0.0795"},
      {0x3f9e163395e610e1ULL, "0.02938156702431705"},
      {0x3faeb851eb851eb8ULL, "0.06"},
      {0x3fab462ffe763bd8ULL, "0.05326986294959796"},
      {0x3f8fd36f7e3d1cc1ULL, "0.01554"},
      {0x3fa4218d17a58addULL, "0.0393184748998203"},
      {0x3fb09df1172ef0aeULL, "0.06491"},
      {0x3fedc56044a10d68ULL, "0.9303437557613679"},
      {0x3fe30a3d70a3d70bULL, "0.5950000000000001"},
      {0x3fe957d2fffc7ab4ULL, "0.7919707298022645"},
      {0x3fe75197a24894c4ULL, "0.72871"},
      {0x3fce0a7005f3e1f0ULL, "0.23469352999360593"},
      {0x3fe170a3d70a3d71ULL, "0.545"},
      {0x3fd3af5ccb103c08ULL, "0.30757827597057075"},
      {0x3fcf9db22d0e5605ULL, "0.24700000000000003"},
      {0x4002cf76ced58693ULL, "2.35130082692269"},
      {0x4000000000000000ULL, "2.0"},
      {0x40028d0ddc075691ULL, "2.318874091123526"},
      {0x401b99999999999aULL, "6.9"},
      {0x402108e48d1deba4ULL, "8.517368707563783"},
      {0x4022000000000000ULL, "9.0"},
      {0x400b072f488be7b9ULL, "3.3785081546493214"},
      {0x4020000000000000ULL, "8.0"},
      {0x40544902cb0d0c5aULL, "81.14079548143619"},
      {0x4057fb851eb851ecULL, "95.93"},
      {0x403a5fd77ebc9c77ULL, "26.374381943748144"},
      {0x4057400000000000ULL, "93.0"},
      {0x4028e8dd6a63fb7aULL, "12.454814266877055"},
      {0x4043deb851eb851fULL, "39.74"},
      {0x403a01b79e4097f2ULL, "26.006708040971667"},
      {0x404eb95810624dd3ULL, "61.448"},
      {0x408c3ff9bc880be8ULL, "903.9969416264184"},
      {0x408e2147ae147ae2ULL, "964.1600000000001"},
      {0x4086958f4f6bc77aULL, "722.6949757023096"},
      {0x4079000000000000ULL, "400.0"},
      {0x40853aec71f673e7ULL, "679.3654517416115"},
      {0x408809ae147ae148ULL, "769.21"},
      {0x408330e42699b351ULL, "614.1114017494057"},
      {0x408831d70a3d70a4ULL, "774.23"},
      {0x40c1aad3378cb29aULL, "9045.650132739265"},
      {0x40af040000000000ULL, "3970.0"},
      {0x40a0a07eefc31526ULL, "2128.247922989208"},
      {0x40b7700000000000ULL, "6000.0"},
      {0x40aa16d9d2e4b8c7ULL, "3339.425437114292"},
      {0x40b2e80000000000ULL, "4840.0"},
      {0x40c00088899522eeULL, "8193.066698686653"},
      {0x40b7700000000000ULL, "6000.0"},
      {0x40f044bf16176cebULL, "66635.94289343401"},
      {0x40cf720000000001ULL, "16100.000000000002"},
      {0x40f5c8ec63d2f581ULL, "89230.77437110805"},
      {0x40f061c000000000ULL, "67100.0"},
      {0x40f2d696f0b9dfedULL, "77161.43377101394"},
      {0x40f1832000000000ULL, "71730.0"},
      {0x40e2629c95db65a7ULL, "37652.89329309324"},
      {0x40efb08000000000ULL, "64900.0"},
      {0x41274cd5eb251e42ULL, "763498.9592675644"},
      {0x41203c4000000000ULL, "532000.0"},
      {0x411e9429834a68b3ULL, "501002.37821353524"},
      {0x41124f8000000000ULL, "300000.0"},
      {0x412c58f9a4c731e2ULL, "928892.8218322361"},
      {0x41255cc000000000ULL, "700000.0"},
      {0x40ff2387d80de585ULL, "127544.4902476278"},
      {0x4123880000000000ULL, "640000.0"},
      {0x4160b8880d1abe49ULL, "8766528.409514563"},
      {0x4154a33400000000ULL, "5410000.0"},
      {0x414f9a2c05a5f74bULL, "4142168.04412738"},
      {0x4161603e00000000ULL, "9110000.0"},
      {0x41606f56216c2aa2ULL, "8616625.044453923"},
      {0x4139a28000000000ULL, "1680000.0"},
      {0x4150768077fef52dULL, "4315649.874936384"},
      {0x4160c18d00000000ULL, "8785000.0"},
      {0x4179d21cfd5512fdULL, "27075023.83327006"},
      {0x4170980c00000000ULL, "17400000.0"},
      {0x417d7878953e5cc7ULL, "30902153.327725198"},
      {0x4187d78400000000ULL, "50000000.0"},
      {0x4176672783cfe5cdULL, "23491192.238256264"},
      {0x4197d78400000000ULL, "100000000.0"},
      {0x41935d26758dd4c0ULL, "81217949.38850689"},
      {0x4183684300000000ULL, "40700000.0"},
      {0x41ca389c1c31a2d2ULL, "879835192.3877814"},
      {0x41b2e81680000000ULL, "317200000.0"},
      {0x41abdad74adef771ULL, "233663397.43548158"},
      {0x41b1065e30000000ULL, "285630000.0"},
      {0x41c142584e78faabULL, "579121308.9451498"},
      {0x41acf7c580000001ULL, "243000000.00000003"},
      {0x419fffa0475f9052ULL, "134211601.84332398"},
      {0x41cad27480000000ULL, "900000000.0"},
      {0x41f56a246116458cULL, "5748442641.391979"},
      {0x41f6259804000000ULL, "5945000000.0"},
      {0x42024d9f9ab5f47dULL, "9826464598.744379"},
      {0x41d0f0ede8000000ULL, "1136900000.0"},
      {0x41e19dc45fac87a4ULL, "2364416765.3915577"},
      {0x41f58c9fdc000000ULL, "5784600000.0"},
      {0x41fd4a6b66337394ULL, "7862662755.215717"},
      {0x4200f337d8000000ULL, "9100000000.0"},
      {0x4226081f30a261ecULL, "47312771153.19125"},
      {0x4202a05f20000000ULL, "10000000000.0"},
      {0x4234848503dfc357ULL, "88122655711.76305"},
      {0x422378f990800000ULL, "41817000000.0"},
      {0x42301dfc8d586dccULL, "69222567256.4289"},
      {0x420579eeb4000000ULL, "11530000000.0"},
      {0x4226ff7efa373a5fULL, "49387896091.614006"},
      {0x4222069773000000ULL, "38710000000.0"},
      {0x4267e1c2eecf8aacULL, "820575172220.3335"},
      {0x4248c93663c00001ULL, "212910000000.00003"},
      {0x426337720c2c44f8ULL, "660276797794.1553"},
      {0x4261d8b22e800000ULL, "613200000000.0"},
      {0x426bd9d1332b3c5aULL, "956947863897.886"},
      {0x42461e70f6000000ULL, "190000000000.0"},
      {0x423e40adfc2dc336ULL, "129934162989.76254"},
      {0x424176592e000000ULL, "150000000000.0"},
      {0x4294d471ee9b7502ULL, "5725669271261.252"},
      {0x4292b6b92bc00000ULL, "5144000000000.0"},
      {0x427643c56f87851bULL, "1530020690040.319"},
      {0x4285d3ef79800000ULL, "3000000000000.0"},
      {0x428cdab0e2f60540ULL, "3965699514048.6562"},
      {0x429d53642a880000ULL, "8061000000000.0"},
      {0x4296e50937096efcULL, "6293239480923.746"},
      {0x428719e5fa300000ULL, "3175000000000.0"},
      {0x42d52ddbf577eccaULL, "93146832035763.16"},
      {0x42d4b15ce0c00000ULL, "91008000000000.0"},
      {0x42cc0e1a1d3924eeULL, "61693786485321.86"},
      {0x42cb48eb57e00000ULL, "60000000000000.0"},
      {0x42b6244d5ab6276dULL, "24345172424231.426"},
      {0x42d2309ce5400000ULL, "80000000000000.0"},
      {0x42cf2cd1ffb52dccULL, "68554724436571.59"},
      {0x42b2309ce5400000ULL, "20000000000000.0"},
      {0x43012e7b14a14460ULL, "604522595756172.0"},
      {0x42e7dfcdece40000ULL, "210000000000000.0"},
      {0x43015785f802dc70ULL, "610163438410638.0"},
      {0x42f09928c4640000ULL, "292000000000000.0"},
      {0x42f1363516387cd7ULL, "302792264878029.44"},
      {0x42f89e6f3a6f8001ULL, "433100000000000.06"},
      {0x4303ce3fa965abdcULL, "696849672222075.5"},
      {0x4301393af5df0000ULL, "606000000000000.0"},
      {0x433f35f65a20ba16ULL, "8785056468351510.0"},
      {0x433ff973cafa8000ULL, "9000000000000000.0"},
      {0x43341ea389d0a10dULL, "5663187274866957.0"},
      {0x4333f3a19c981800ULL, "5615900000000000.0"},
      {0x43405436d4363949ULL, "9192388185322130.0"},
      {0x432ea37b788b0001ULL, "4312000000000000.5"},
      {0x433352b0902291a0ULL, "5438942843408800.0"},
      {0x4318c15beccb8000ULL, "1742000000000000.0"},
      {0x4351c1c50596e3efULL, "1.9992506202296252e+16"},
      {0x435cc6e836ae4001ULL, "3.2400000000000004e+16"},
      {0x436569a343558c02ULL, "4.821699552951502e+16"},
      {0x4352a6d8e1122000ULL, "2.1e+16"},
      {0x4370c80dfd969292ULL, "7.557699267206582e+16"},
      {0x437599ba503c0000ULL, "9.728e+16"},
      {0x435dd7c3d05880dbULL, "3.3600041354658668e+16"},
      {0x4373c31074902800ULL, "8.9e+16"},
      {0x43a27da68efcc05cULL, "6.662020989137833e+17"},
      {0x439f5d2206a86201ULL, "5.6500000000000006e+17"},
      {0x437af3a074abd27aULL, "1.2137951795538525e+17"},
      {0x43aa41bbf9cb0a01ULL, "9.460000000000001e+17"},
      {0x43a41b6d4266420fULL, "7.244359185403104e+17"},
      {0x438f328016ef1400ULL, "2.81e+17"},
      {0x437bd322d6943619ULL, "1.2531153525718261e+17"},
      {0x439988fe4052b7ffULL, "4.5999999999999994e+17"},
      {0x43e059d2882f2ab9ULL, "9.425634079062477e+18"},
      {0x43e12c7bb1858bc0ULL, "9.9e+18"},
      {0x43b9675721b9cd3eULL, "1.830527575912169e+18"},
      {0x43dc3dc5b7d5eb81ULL, "8.140000000000001e+18"},
      {0x43e0124766e74c64ULL, "9.264532491843346e+18"},
      {0x43ae87f85809dc01ULL, "1.1000000000000001e+18"},
      {0x43d5104684522999ULL, "6.07116243420777e+18"},
      {0x43dc1a3ec5662a80ULL, "8.1e+18"},
      {0x4401277dda6fd62cULL, "3.955503999581248e+19"},
      {0x43f2b264bca9a520ULL, "2.1556e+19"},
      {0x440ca71aed65623dULL, "6.606875395466144e+19"},
      {0x440a055690d9db80ULL, "6e+19"},
      {0x43f9135fe9fc0079ULL, "2.8910293345049743e+19"},
      {0x4403b04d2fb9efacULL, "4.5399e+19"},
      {0x44040272a7b0bfa8ULL, "4.613890864839793e+19"},
      {0x440d918026229110ULL, "6.818e+19"},
      {0x8ffe04db921f5cffULL, "-1.2084792897606192e-231"},
      {0x47acc900fd85667aULL, "1.9131027818276827e+37"},
      {0x484fef178087e48aULL, "2.1733121790568788e+40"},
      {0x12b8fbf58984dc16ULL, "1.769411604574287e-218"},
      {0x7a2ff98ea887f62aULL, "3.6275571732419034e+280"},
      {0xd9820ed4f8a76ffdULL, "-1.4921633949583127e+123"},
      {0x7b8837d1b3b2cbcdULL, "1.1524044878653516e+287"},
      {0xa6201eebeab59d63ULL, "-4.762972303705673e-125"},
      {0xe63ad718289e1e65ULL, "-2.8511713062636765e+184"},
      {0x0c294e6b6c08115fULL, "4.4181730386135086e-250"},
      {0x192c0628b4197a6fULL, "2.0127217617036506e-187"},
      {0xe663e86abb9342f9ULL, "-1.6918129099544826e+185"},
      {0x1e8624c2d47c1e66ULL, "1.230496897774513e-161"},
      {0xa9d9f37d44300023ULL, "-4.419954801462294e-107"},
      {0xe34eb93e50914063ULL, "-2.318994774789657e+170"},
      {0xbb613f0c69a83797ULL, "-1.1412632850290303e-22"},
      {0x7a10017864722c12ULL, "9.07928882887437e+279"},
      {0xfb3a4c4317bb14e0ULL, "-3.910542010364199e+285"},
      {0xb03a092863c759a1ULL, "-2.2484932019385852e-76"},
      {0x1f051604a4739077ULL, "2.999623009490045e-159"},
      {0x6e4f7825bd4decd4ULL, "2.2750672766942858e+223"},
      {0xfd8271483ad92147ULL, "-3.769170089427484e+296"},
      {0x01de19709ee4b994ULL, "1.1236260540809888e-299"},
      {0x75771499c0485eeaULL, "6.931080994686839e+257"},
      {0xa07f345127d052c6ULL, "-3.7237243848415254e-152"},
      {0x5b1fbb6003aaa714ULL, "8.798217121720374e+130"},
      {0xd770c3c328fdf260ULL, "-1.6127018592940997e+113"},
      {0x4515aa49adce60d5ULL, "6.547900912591629e+24"},
      {0x24fa44c2e9cf5a2cULL, "1.4803308971572148e-130"},
      {0x290ff88e63239fb3ULL, "6.647016832146906e-111"},
      {0x528fa7014fdf180aULL, "5.0372659167574927e+89"},
      {0x99cfde30a09455f9ULL, "-2.3437242537003485e-184"},
      {0x6e0e643c50f1a7f9ULL, "1.3732183728112989e+222"},
      {0x5aab95e60a09b32aULL, "5.975437074369581e+128"},
      {0xb0d1e97c3ecae88bULL, "-1.5840409697561424e-73"},
      {0xdcec869699bd1c73ULL, "-4.246243161550597e+139"},
      {0x06d854f975326aeaULL, "1.0980966440114772e-275"},
      {0xabda7eb458ce5ecfULL, "-1.9381364248796148e-97"},
      {0x7f7122ae6464d50cULL, "7.520586693692219e+305"},
      {0x9b67a4f9231a38f7ULL, "-1.1669744270419338e-176"},
      {0x3f1a36e2eb1c432dULL, "0.0001"},
      {0x3f1a36d1bd105b06ULL, "9.9999e-05"},
      {0x4341c37937e07fffULL, "9999999999999998.0"},
      {0x4341c37937e08000ULL, "1e+16"},
      {0x4341c37937e07fffULL, "9999999999999998.0"},
      {0x43118b54f22aeb03ULL, "1234567890123456.8"},
      {0x3f50624dd2f1a9fcULL, "0.001"},
      {0x3f35d867c3ece2a5ULL, "0.0003333333333333333"},
  };
  for (const auto& c : kCases) {
    const double d = std::bit_cast<double>(c.bits);
    INFO("bits 0x" << std::hex << c.bits);
    CHECK(python_float(d) == c.repr);
  }
}

TEST_CASE("python_float's fast path agrees with the general one", "[pyjson]") {
  std::mt19937_64 rng(20261207);
  const auto same = [](double d) {
    std::string fast, general;
    append_python_float(fast, d);
    amarcord::json::append_python_float_general(general, d);
    INFO("bits 0x" << std::hex << std::bit_cast<std::uint64_t>(d));
    CHECK(fast == general);
  };
  // Any bit pattern (NaN and infinity throw on both paths).
  for (int i = 0; i < 200000; ++i) {
    const double d = std::bit_cast<double>(rng());
    if (std::isfinite(d)) same(d);
  }
  // Values people type, around the limits of positional notation.
  std::uniform_int_distribution<int> digits(0, 99999), exponent(-8, 20);
  for (int i = 0; i < 200000; ++i) {
    const double d = digits(rng) * std::pow(10.0, exponent(rng) - 4);
    same(d);
    same(-d);
  }
  for (double edge : {0.0, -0.0, 1e-4, 9.999999999999999e-5, 0.00010000000000000002, 1e16,
                      9999999999999998.0, 1e15, 123456789012345.6, 5e-324, 1.7976931348623157e308})
    same(edge);
}

TEST_CASE("python_float refuses NaN and infinity", "[pyjson]") {
  CHECK_THROWS_AS(python_float(std::numeric_limits<double>::quiet_NaN()), std::domain_error);
  CHECK_THROWS_AS(python_float(std::numeric_limits<double>::infinity()), std::domain_error);
  CHECK_THROWS_AS(python_float(-std::numeric_limits<double>::infinity()), std::domain_error);
  CHECK_THROWS_AS(dumps(boost::json::value(std::numeric_limits<double>::infinity())),
                  std::domain_error);
}

TEST_CASE("append_python_float appends to existing text", "[pyjson]") {
  std::string out = "x=";
  append_python_float(out, 2.5);
  append_python_float(out, 1e-05);
  CHECK(out == "x=2.51e-05");
}

TEST_CASE("serialize writes scalars like json.dumps", "[pyjson]") {
  CHECK(dumps(nullptr) == "null");
  CHECK(dumps(true) == "true");
  CHECK(dumps(false) == "false");
  CHECK(dumps(std::int64_t{0}) == "0");
  CHECK(dumps(std::int64_t{-42}) == "-42");
  CHECK(dumps(std::numeric_limits<std::int64_t>::min()) == "-9223372036854775808");
  CHECK(dumps(std::numeric_limits<std::int64_t>::max()) == "9223372036854775807");
  CHECK(dumps(std::numeric_limits<std::uint64_t>::max()) == "18446744073709551615");
  CHECK(dumps(3.0) == "3.0");
  CHECK(dumps(-0.0) == "-0.0");
  CHECK(dumps(1e16) == "1e+16");
  CHECK(dumps("") == "\"\"");
}

TEST_CASE("serialize escapes strings like json.dumps(ensure_ascii=False)", "[pyjson]") {
  CHECK(dumps("M\xc3\xbc"
              "nchen") ==
        "\"M\xc3\xbc"
        "nchen\"");
  CHECK(dumps("\xe2\x80\xa8 \xf0\x9f\x98\x80") == "\"\xe2\x80\xa8 \xf0\x9f\x98\x80\"");
  CHECK(dumps("a\"b\\c/d") == "\"a\\\"b\\\\c/d\"");
  CHECK(dumps("line\nnext\ttab\rcr\bbs\ffeed") == "\"line\\nnext\\ttab\\rcr\\bbs\\ffeed\"");
  CHECK(dumps("\x01") == "\"\\u0001\"");
  CHECK(dumps("\x1f") == "\"\\u001f\"");
  CHECK(dumps("\x7f") == "\"\x7f\"");  // DEL is not escaped by Python
  CHECK(dumps(boost::json::string(std::string_view("a\0b", 3))) == "\"a\\u0000b\"");
}

TEST_CASE("serialize writes compact objects and arrays in insertion order", "[pyjson]") {
  boost::json::object obj;
  obj["zeta"] = 1;
  obj["alpha"] = 2.0;
  obj["M\xc3\xbc"
      "nchen"] = "Stadt";
  obj["nested"] = boost::json::array{1, 2.5, "x", nullptr, true, boost::json::object{}};
  obj["empty"] = boost::json::array{};
  boost::json::array inner;
  inner.emplace_back(boost::json::array{});
  obj["quote\"key"] = boost::json::object{{"inner", std::move(inner)}};
  obj["big"] = std::numeric_limits<std::uint64_t>::max();
  obj["neg"] = std::numeric_limits<std::int64_t>::min();
  CHECK(dumps(obj) ==
        "{\"zeta\":1,\"alpha\":2.0,\"M\xc3\xbc"
        "nchen\":\"Stadt\","
        "\"nested\":[1,2.5,\"x\",null,true,{}],\"empty\":[],"
        "\"quote\\\"key\":{\"inner\":[[]]},"
        "\"big\":18446744073709551615,\"neg\":-9223372036854775808}");
  CHECK(dumps(boost::json::object{}) == "{}");
  CHECK(dumps(boost::json::array{}) == "[]");
}

TEST_CASE("serialize writes double fields with a fractional part", "[pyjson]") {
  const boost::json::value v = boost::json::parse(R"({"a":1.0,"b":[100.0,1e-5,0.1]})");
  CHECK(dumps(v) == R"({"a":1.0,"b":[100.0,1e-05,0.1]})");
}

TEST_CASE("serialize_to appends", "[pyjson]") {
  std::string out = "prefix:";
  serialize_to(out, boost::json::array{1, 2});
  CHECK(out == "prefix:[1,2]");
}
