package io.keyward.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;

class UnknownFieldsTest {
  static JsonNode json(String text) throws Exception {
    return Serialization.jsonMapper().readTree(text.replace('\'', '"'));
  }

  @Test
  void whatThePruningDroppedIsNamedAsKubeNamesUnknownFields() throws Exception {
    JsonNode sent = json("{'kind':'ApiConnector','foo':1,'metadata':{'name':'a','bogus':2},"
        + "'spec':{'auth':{'oauth2':{'scopes':['a'],'tokenUrl':'x','extra':{'deep':1}}},'list':[{'a':1,'b':2}]}}");
    JsonNode stored = json("{'kind':'ApiConnector','metadata':{'name':'a'},"
        + "'spec':{'auth':{'oauth2':{'scopes':['a'],'tokenUrl':'x'}},'list':[{'a':1}]}}");
    assertThat(UnknownFields.between(sent, stored))
        .containsExactly("foo", "metadata.bogus", "spec.auth.oauth2.extra", "spec.list[0].b");
  }

  @Test
  void nullsAndAStatusDroppedWholeAreNotUnknownFields() throws Exception {
    JsonNode sent = json("{'metadata':{'name':'a','creationTimestamp':null},'spec':{'x':null},'status':{'a':1}}");
    JsonNode stored = json("{'metadata':{'name':'a'},'spec':{}}");
    assertThat(UnknownFields.between(sent, stored)).isEmpty();
    assertThat(UnknownFields.between(sent, sent)).isEmpty();
  }

  @Test
  void goQuotingIsWhatKubeMessagesShow() {
    assertThat(KubeStatus.quote("a\"b\\c\nd\u0001é")).isEqualTo("\"a\\\"b\\\\c\\nd\\x01é\"");
    assertThat(KubeStatus.warning("unknown field \"spec.foo\"")).isEqualTo("299 - \"unknown field \\\"spec.foo\\\"\"");
  }
}
