package io.marketetl;
public class Application { public static void main(String[] a) { System.out.println("hi"); } }
